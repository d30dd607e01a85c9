// Structure-aware mutation of DER (X.690): a lenient tree of an encoding, mutated by element (length lies,
// deletion, duplication, deep nesting, content from another document, huge INTEGERs, bit flips) and
// written back with every enclosing length recomputed, so a mutation reaches the field it aims at instead
// of the first length check. OCTET STRINGs and BIT STRINGs that hold DER (extnValue, subjectPublicKey) are
// opened too. For the certificate, key and OCSP fuzz targets (x509.ts). Core-safe: no node imports.
import { concat } from '../../wire/bytes.js';
import type { Choices } from './input.js';

/** One element: a primitive with its content, or a constructed/encapsulating one with children. */
export interface DerNode {
  tag: number;
  content?: Uint8Array;
  children?: DerNode[];
  /** The children sit inside an OCTET STRING (0x04) or a BIT STRING with 0 unused bits (0x03). */
  wrapped?: boolean;
}

const OCTET_STRING = 0x04;
const BIT_STRING = 0x03;

/** Parses `bytes` as a sequence of elements; undefined when they are not exactly that. */
function parseAll(bytes: Uint8Array, depth: number): DerNode[] | undefined {
  const out: DerNode[] = [];
  let at = 0;
  while (at < bytes.length) {
    const tag = bytes[at]!;
    if ((tag & 0x1f) === 0x1f || at + 1 >= bytes.length) return undefined;
    let length = bytes[at + 1]!;
    let header = 2;
    if (length & 0x80) {
      const count = length & 0x7f;
      if (count === 0 || count > 3 || at + 2 + count > bytes.length) return undefined;
      length = 0;
      for (let i = 0; i < count; i++) length = length * 256 + bytes[at + 2 + i]!;
      header += count;
    }
    const end = at + header + length;
    if (end > bytes.length) return undefined;
    out.push(nodeOf(tag, bytes.subarray(at + header, end), depth));
    at = end;
  }
  return out;
}

function nodeOf(tag: number, content: Uint8Array, depth: number): DerNode {
  if (depth < 24 && tag & 0x20) {
    const children = parseAll(content, depth + 1);
    if (children) return { tag, children };
  }
  if (depth < 24 && tag === OCTET_STRING && content.length > 1 && content[0] === 0x30) {
    const children = parseAll(content, depth + 1);
    if (children) return { tag, children, wrapped: true };
  }
  if (depth < 24 && tag === BIT_STRING && content.length > 2 && content[0] === 0 && content[1] === 0x30) {
    const children = parseAll(content.subarray(1), depth + 1);
    if (children) return { tag, children, wrapped: true };
  }
  return { tag, content };
}

/** The tree of one DER document (or undefined when it is not one). */
export function parseDerTree(bytes: Uint8Array): DerNode | undefined {
  const all = parseAll(bytes, 0);
  return all?.length === 1 ? all[0] : undefined;
}

function lengthOctets(length: number): Uint8Array {
  if (length < 0x80) return Uint8Array.of(length);
  const bytes: number[] = [];
  for (let v = length; v > 0; v = Math.floor(v / 256)) bytes.unshift(v & 0xff);
  return Uint8Array.of(0x80 | bytes.length, ...bytes);
}

/** The length of encodeDerTree(node), without encoding it. */
function encodedLength(node: DerNode): number {
  const content = node.children ? node.children.reduce((sum, child) => sum + encodedLength(child), node.wrapped && node.tag === BIT_STRING ? 1 : 0) : (node.content?.length ?? 0);
  return 1 + lengthOctets(content).length + content;
}

export function encodeDerTree(node: DerNode): Uint8Array {
  let content: Uint8Array;
  if (node.children) {
    const inner = concat(...node.children.map(encodeDerTree));
    content = node.wrapped && node.tag === BIT_STRING ? concat(Uint8Array.of(0), inner) : inner;
  } else content = node.content ?? new Uint8Array(0);
  return concat(Uint8Array.of(node.tag), lengthOctets(content.length), content);
}

/** `inner` inside `depth` SEQUENCEs, written in one pass (wrapping one at a time would copy it `depth` times). */
function nestedSequences(inner: Uint8Array, depth: number): Uint8Array {
  const lengths: number[] = [inner.length];
  for (let i = 1; i <= depth; i++) lengths.push(lengths[i - 1]! + 1 + lengthOctets(lengths[i - 1]!).length);
  const out = new Uint8Array(lengths[depth]!);
  let at = 0;
  for (let i = depth - 1; i >= 0; i--) {
    out[at++] = 0x30;
    const octets = lengthOctets(lengths[i]!);
    out.set(octets, at);
    at += octets.length;
  }
  out.set(inner, at);
  return out;
}

/** Every node with its parent (the root's parent is undefined), depth first. */
function walk(root: DerNode): Array<{ node: DerNode; parent?: DerNode }> {
  const out: Array<{ node: DerNode; parent?: DerNode }> = [{ node: root }];
  for (let i = 0; i < out.length; i++) for (const child of out[i]!.node.children ?? []) out.push({ node: child, parent: out[i]!.node });
  return out;
}

/** Growth one mutation may add: past a Certificate message's 64 KiB a document is cut anyway (mutateDer). */
const MAX_GROWTH = 128 * 1024;
const copiesWithin = (node: DerNode) => Math.max(1, Math.floor(MAX_GROWTH / encodedLength(node)));

const INTERESTING_BYTES = [0x00, 0x01, 0x7f, 0x80, 0xff, 0x30, 0x31, 0xa0, 0x05, 0x06, 0x02, 0x0c];

/** Mutations of one element; each edits the tree in place and says what it did. */
const ELEMENT_MUTATIONS: ReadonlyArray<(target: { node: DerNode; parent?: DerNode }, c: Choices, donors: DerNode[]) => string> = [
  function deleteElement({ node, parent }) {
    if (!parent) return 'nothing (root)';
    parent.children!.splice(parent.children!.indexOf(node), 1);
    return 'delete';
  },
  function duplicateElement({ node, parent }, c) {
    if (!parent) return 'nothing (root)';
    const copies = Math.min(c.pick([1, 1, 2, 64]), copiesWithin(node));
    parent.children!.splice(parent.children!.indexOf(node), 0, ...Array.from({ length: copies }, () => structuredCloneNode(node)));
    return `duplicate x${copies}`;
  },
  function changeTag({ node }, c) {
    node.tag = c.pick([0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x0c, 0x13, 0x16, 0x17, 0x18, 0x1e, 0x30, 0x31, 0x80, 0x81, 0x82, 0x86, 0x87, 0xa0, 0xa1, 0xa3, 0xa4, c.u8() & ~0x1f | c.below(0x1f)]);
    return `tag 0x${node.tag.toString(16)}`;
  },
  function replaceContent({ node }, c) {
    const length = c.pick([0, 1, 2, 3, 8, 33, 129, 300]);
    node.children = undefined;
    node.content = Uint8Array.from({ length }, () => c.u8());
    return `content of ${length} bytes`;
  },
  function setContentByte({ node }, c) {
    if (!node.content || node.content.length === 0) return 'nothing (no content)';
    node.content = node.content.slice();
    const i = c.below(node.content.length);
    node.content[i] = c.pick(INTERESTING_BYTES);
    return `content byte ${i} = 0x${node.content[i]!.toString(16)}`;
  },
  function flipContentBit({ node }, c) {
    if (!node.content || node.content.length === 0) return 'nothing (no content)';
    node.content = node.content.slice();
    const i = c.below(node.content.length);
    node.content[i]! ^= 1 << c.below(8);
    return `content bit flip at ${i}`;
  },
  function deepNest({ node }, c) {
    // Nesting a parser walks recursively: thousands of SEQUENCEs inside one element, kept as bytes.
    const depth = c.pick([8, 64, 1000, 5000]);
    const inner = encodeDerTree(node);
    Object.assign(node, { tag: 0x30, content: nestedSequences(inner, depth - 1), children: undefined, wrapped: false });
    return `nested ${depth} deep`;
  },
  function hugeInteger({ node }, c) {
    // An INTEGER (serial, RSA modulus or exponent, version) of many bytes.
    const length = c.pick([9, 21, 129, 513, 1025, 4097]);
    node.tag = 0x02;
    node.children = undefined;
    node.content = Uint8Array.from({ length }, (_, i) => (i === 0 ? 0x7f : 0xff));
    return `INTEGER of ${length} bytes`;
  },
  function donorElement(target, c, donors) {
    if (donors.length === 0) return 'nothing (no donors)';
    const donor = structuredCloneNode(c.pick(donors));
    Object.assign(target.node, { tag: donor.tag, content: donor.content, children: donor.children, wrapped: donor.wrapped });
    return `replaced by an element of another document (tag 0x${donor.tag.toString(16)})`;
  },
  function manyChildren({ node }, c) {
    if (!node.children || node.children.length === 0) return 'nothing (no children)';
    const child = node.children[c.below(node.children.length)]!;
    const count = Math.min(c.pick([100, 1000, 4000]), copiesWithin(child));
    node.children = [...node.children, ...Array.from({ length: count }, () => structuredCloneNode(child))];
    return `${count} more copies of a child`;
  },
];

function structuredCloneNode(node: DerNode): DerNode {
  return { tag: node.tag, ...(node.content ? { content: node.content } : {}), ...(node.children ? { children: node.children.map(structuredCloneNode) } : {}), ...(node.wrapped ? { wrapped: true } : {}) };
}

/** Every element of these documents: material for `donorElement`. */
export function donorElements(documents: Uint8Array[]): DerNode[] {
  return documents.flatMap((d) => {
    const tree = parseDerTree(d);
    return tree ? walk(tree).map((w) => w.node) : [];
  });
}

/**
 * One to three structure-aware mutations of `der` (or raw byte edits when it does not parse as a tree),
 * then sometimes a raw length lie or truncation that leaves the enclosing lengths inconsistent.
 */
export function mutateDer(der: Uint8Array, c: Choices, donors: DerNode[], maxBytes: number): { bytes: Uint8Array; description: string } {
  const tree = parseDerTree(der);
  const steps: string[] = [];
  let bytes = der;
  if (tree) {
    const rounds = 1 + c.below(3);
    for (let r = 0; r < rounds; r++) {
      // A document past maxBytes is cut at the end below; stop growing it.
      if (encodedLength(tree) > maxBytes) break;
      const nodes = walk(tree);
      const at = c.below(nodes.length);
      const mutation = ELEMENT_MUTATIONS[c.below(ELEMENT_MUTATIONS.length)]!;
      steps.push(`element ${at}: ${mutation(nodes[at]!, c, donors)}`);
    }
    bytes = encodeDerTree(tree);
    if (bytes.length > maxBytes) {
      steps.push(`cut to ${maxBytes} of ${bytes.length} bytes`);
      bytes = bytes.subarray(0, maxBytes);
    }
  }
  switch (c.below(6)) {
    case 0: {
      const copy = bytes.slice();
      const i = c.below(copy.length);
      copy[i]! ^= 1 << c.below(8);
      steps.push(`raw bit flip at ${i}`);
      bytes = copy;
      break;
    }
    case 1: {
      const length = c.below(bytes.length);
      steps.push(`truncated to ${length}`);
      bytes = bytes.subarray(0, length);
      break;
    }
    case 2: {
      const copy = bytes.slice();
      const i = c.below(copy.length);
      copy[i] = c.pick([0x80, 0x81, 0x84, 0x85, 0xff, 0x00]);
      steps.push(`raw byte ${i} = 0x${copy[i]!.toString(16)}`);
      bytes = copy;
      break;
    }
    default:
      break;
  }
  return { bytes, description: steps.join('; ') || 'unchanged' };
}
