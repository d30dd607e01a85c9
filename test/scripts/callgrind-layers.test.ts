// engine-instructions.js's attribution (scripts/bench/callgrind-layers.ts): a callgrind out file's self costs, JIT
// code named through node's perf map, and the layers. A real count runs under valgrind for minutes:
// docs/performance-engine-notes.md shows one.
import { describe, expect, it } from 'vitest';
import { functionName, layerCosts, layerOf, perfMap, selfCosts } from '../../scripts/bench/callgrind-layers.js';

// As callgrind 3.19 writes them (name compression, a call's inclusive line after calls=, relative positions).
const DUMP = `version: 1
positions: line
events: Ir D1mr
ob=(1) /usr/bin/node
fl=(1) ???
fn=(1) 0x0000000012340010
0 100 3
+2 50
cfn=(2) v8::bigint::ProcessorImpl::MultiplySchoolbook(v8::bigint::RWDigits)
calls=1 0
0 7000 9
fn=(2)
0 7000 9
fn=(3) 0x0000000055550000
0 11
fn=(4) _int_free
* 20 1
fn=(1)
0 5
`;

const MAP = `12340000 200 JS:*evaluateTrust file:///work/x/dist/src/auth/trust.js:284:30
12350000 80 JS:~mul file:///work/x/node_modules/@noble/curves/abstract/modular.js:10:1
`;

describe('callgrind layers', () => {
  it('adds each function its own lines, not a call inclusive line, names compressed or given', () => {
    const { events, byFunction } = selfCosts(DUMP);
    expect(events).toEqual(['Ir', 'D1mr']);
    expect(byFunction.get('0x0000000012340010')).toEqual([155, 3]);
    expect(byFunction.get('v8::bigint::ProcessorImpl::MultiplySchoolbook(v8::bigint::RWDigits)')).toEqual([7000, 9]);
    expect(byFunction.get('_int_free')).toEqual([20, 1]);
  });

  it('names JIT code by the perf map entry that holds its address, and none outside every entry', () => {
    const map = perfMap(MAP);
    expect(functionName('0x0000000012340010', map)).toContain('evaluateTrust');
    expect(functionName('0x0000000012350050', map)).toContain('@noble/curves');
    expect(functionName('0x0000000012340200', map)).toBeUndefined();
    expect(functionName('0x0000000055550000', map)).toBeUndefined();
    expect(functionName('_int_free', map)).toBe('_int_free');
  });

  it('puts each function in its layer', () => {
    expect(layerOf('JS:~mul file:///work/x/node_modules/@noble/curves/abstract/modular.js:10:1')).toBe('noble (JavaScript)');
    expect(layerOf('JS:*evaluateTrust file:///work/x/dist/src/auth/trust.js:284:30')).toBe('ours (src/)');
    expect(layerOf('Builtins_BigIntMultiplyNoThrow')).toBe('BigInt arithmetic (V8)');
    expect(layerOf('Builtins_KeyedLoadIC_Megamorphic')).toBe('V8 builtins');
    expect(layerOf('v8::internal::Scavenger::ScavengeObject')).toBe('collector');
    expect(layerOf('v8::internal::compiler::GraphReducer::ReduceTop()')).toBe('optimising compiler');
    expect(layerOf('_int_free')).toBe('malloc/free');
    expect(layerOf('v8::internal::Runtime_SetProperty')).toBe('V8 runtime and other native');
    expect(layerOf(undefined)).toBe('JIT code without a name');
  });

  it('adds the layers up to the dump total', () => {
    const { byLayer } = layerCosts(DUMP, MAP);
    expect(byLayer.get('ours (src/)')).toEqual([155, 3]);
    expect(byLayer.get('BigInt arithmetic (V8)')).toEqual([7000, 9]);
    expect(byLayer.get('JIT code without a name')).toEqual([11, 0]);
    expect(byLayer.get('malloc/free')).toEqual([20, 1]);
    expect([...byLayer.values()].reduce((sum, [ir]) => sum + ir!, 0)).toBe(155 + 7000 + 11 + 20);
  });
});
