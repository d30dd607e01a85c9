// Attacker: the caller's own bytes, of the wrong kind, turned into other bytes on the wire or a dead
// connection. write() and receive() take a Uint8Array (a Buffer is one). They took anything:
//   - write(new Uint16Array([0x4142])) sent one byte, 0x42, as the application's data: the peer read
//     other data than was written, with no error; write(42) and write(new DataView(...)) sent nothing and
//     said nothing;
//   - receive('hello') or receive(42) killed the connection with an internal_error alert to the peer and
//     then threw; receive(new Uint16Array(...)) was read as if each 16-bit element were a byte.
// Each is a TypeError now, thrown before anything is sent or read, and the connection carries on.
import { describe, expect, it } from 'vitest';
import { connected } from '../conformance/harness.js';

const MISSHAPEN: Array<[string, unknown]> = [
  ['a string', 'hello'],
  ['a number', 42],
  ['undefined', undefined],
  ['null', null],
  ['an array of numbers', [104, 105]],
  ['a Uint16Array', new Uint16Array([0x4142])],
  ['a DataView', new DataView(new ArrayBuffer(2))],
  ['an ArrayBuffer', new ArrayBuffer(2)],
];

describe.each(MISSHAPEN)('%s', (_, input) => {
  it('is a TypeError from write(), nothing is sent, and the connection still writes', () => {
    const { victim: server, peer: client } = connected('client');
    client.takeOutput();
    expect(() => client.write(input as Uint8Array)).toThrow(TypeError);
    expect(() => client.write(input as Uint8Array)).toThrow(/^write: data must be a Uint8Array/);
    expect(client.takeOutput()).toHaveLength(0);
    client.write(Uint8Array.of(1, 2));
    server.receive(client.takeOutput());
    expect(server.takeEvents().filter((e) => e.type === 'data')).toEqual([expect.objectContaining({ data: Uint8Array.of(1, 2) })]);
  });

  it('is a TypeError from receive(), no alert goes out, and the connection still reads', () => {
    const { victim: server, peer: client } = connected('client');
    server.takeEvents();
    expect(() => server.receive(input as Uint8Array)).toThrow(/^receive: bytes must be a Uint8Array/);
    expect(server.takeOutput()).toHaveLength(0);
    expect(server.takeEvents()).toEqual([]);
    expect(server.state).toBe('CONNECTED');
    client.write(Uint8Array.of(3));
    server.receive(client.takeOutput());
    expect(server.takeEvents().filter((e) => e.type === 'data')).toEqual([expect.objectContaining({ data: Uint8Array.of(3) })]);
  });
});

it('a Buffer is a Uint8Array, and is written and read as one', () => {
  const { victim: server, peer: client } = connected('client');
  client.write(Buffer.from('hi'));
  server.receive(Buffer.from(client.takeOutput()));
  expect(server.takeEvents().filter((e) => e.type === 'data')).toEqual([expect.objectContaining({ data: Uint8Array.from(Buffer.from('hi')) })]);
});
