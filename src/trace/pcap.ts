// A session that never touched a network, as a pcap file Wireshark and tshark open: the bytes each side
// sent, in delivery order, framed in synthetic Ethernet/IPv4/TCP with a three-way handshake, proper
// sequence and acknowledgement numbers, valid IPv4 and TCP checksums, and FIN exchanges at the end.
// Classic pcap format (https://www.tcpdump.org/manpages/pcap-savefile.5.html), little-endian, microsecond
// timestamps. Core-safe: returns bytes, the caller writes the file.
import type { Role } from '../handshake/events.js';
import { concat } from '../wire/bytes.js';

export interface PcapSegment {
  from: Role;
  bytes: Uint8Array;
}

export interface PcapOptions {
  /** The client's address and port (default 127.0.0.1:49152). */
  clientAddress?: [number, number, number, number];
  clientPort?: number;
  /** The server's address and port (default 127.0.0.2:443, where Wireshark looks for TLS). */
  serverAddress?: [number, number, number, number];
  serverPort?: number;
  /** Time of the first packet, in milliseconds since the epoch; each packet comes 1 ms after the one before. */
  startTime?: number;
}

const LINKTYPE_ETHERNET = 1;
const ETHERTYPE_IPV4 = 0x0800;
const IPPROTO_TCP = 6;
/** Payload per TCP segment: an Ethernet MTU of 1500 minus 20 bytes of IPv4 and 20 of TCP headers. */
const MSS = 1460;
const TCP = { FIN: 0x01, SYN: 0x02, PSH: 0x08, ACK: 0x10 } as const;
const CLIENT_MAC = [0x02, 0, 0, 0, 0, 0x01];
const SERVER_MAC = [0x02, 0, 0, 0, 0, 0x02];
/** Initial sequence numbers: fixed, so the same session gives the same file. */
const ISN: Record<Role, number> = { client: 0x1000_0000, server: 0x2000_0000 };

/** The Internet checksum (RFC 1071): one's complement of the one's complement sum of 16-bit words. */
export function internetChecksum(...parts: Uint8Array[]): number {
  let sum = 0;
  let odd: number | undefined;
  for (const part of parts) {
    for (const byte of part) {
      if (odd === undefined) odd = byte;
      else {
        sum += (odd << 8) | byte;
        odd = undefined;
      }
    }
  }
  if (odd !== undefined) sum += odd << 8;
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
}

interface Endpoint {
  mac: number[];
  address: Uint8Array;
  port: number;
}

function tcpPacket(src: Endpoint, dst: Endpoint, seq: number, ack: number, flags: number, payload: Uint8Array, id: number): Uint8Array {
  const tcp = new Uint8Array(20 + payload.length);
  const t = new DataView(tcp.buffer);
  t.setUint16(0, src.port);
  t.setUint16(2, dst.port);
  t.setUint32(4, seq >>> 0);
  t.setUint32(8, flags & TCP.ACK ? ack >>> 0 : 0);
  tcp[12] = 5 << 4; // data offset: 5 words, no options
  tcp[13] = flags;
  t.setUint16(14, 65535); // window
  tcp.set(payload, 20);
  // The TCP checksum covers a pseudo-header of addresses, protocol and TCP length (RFC 793 §3.1).
  const pseudo = new Uint8Array(12);
  pseudo.set(src.address, 0);
  pseudo.set(dst.address, 4);
  pseudo[9] = IPPROTO_TCP;
  new DataView(pseudo.buffer).setUint16(10, tcp.length);
  t.setUint16(16, internetChecksum(pseudo, tcp));

  const ip = new Uint8Array(20);
  const i = new DataView(ip.buffer);
  ip[0] = 0x45; // version 4, header length 5 words
  i.setUint16(2, 20 + tcp.length);
  i.setUint16(4, id & 0xffff);
  i.setUint16(6, 0x4000); // don't fragment
  ip[8] = 64; // TTL
  ip[9] = IPPROTO_TCP;
  ip.set(src.address, 12);
  ip.set(dst.address, 16);
  i.setUint16(10, internetChecksum(ip));

  const frame = new Uint8Array(14 + ip.length + tcp.length);
  frame.set(dst.mac, 0);
  frame.set(src.mac, 6);
  new DataView(frame.buffer).setUint16(12, ETHERTYPE_IPV4);
  frame.set(ip, 14);
  frame.set(tcp, 34);
  return frame;
}

/** A pcap file of one TCP connection carrying `segments`, in order. */
export function toPcap(segments: readonly PcapSegment[], options: PcapOptions = {}): Uint8Array {
  const ends: Record<Role, Endpoint> = {
    client: { mac: CLIENT_MAC, address: Uint8Array.from(options.clientAddress ?? [127, 0, 0, 1]), port: options.clientPort ?? 49152 },
    server: { mac: SERVER_MAC, address: Uint8Array.from(options.serverAddress ?? [127, 0, 0, 2]), port: options.serverPort ?? 443 },
  };
  // Next sequence number each side will send; what it has received is the peer's.
  const next: Record<Role, number> = { client: ISN.client, server: ISN.server };
  const frames: Uint8Array[] = [];
  const send = (from: Role, flags: number, payload: Uint8Array = new Uint8Array(0)) => {
    const to: Role = from === 'client' ? 'server' : 'client';
    frames.push(tcpPacket(ends[from], ends[to], next[from], next[to], flags, payload, frames.length + 1));
    // SYN and FIN each take one sequence number (RFC 793 §3.3).
    next[from] = (next[from] + payload.length + (flags & (TCP.SYN | TCP.FIN) ? 1 : 0)) >>> 0;
  };

  send('client', TCP.SYN);
  send('server', TCP.SYN | TCP.ACK);
  send('client', TCP.ACK);
  for (const { from, bytes } of segments) {
    for (let at = 0; at < bytes.length; at += MSS) send(from, TCP.PSH | TCP.ACK, bytes.subarray(at, at + MSS));
  }
  send('client', TCP.FIN | TCP.ACK);
  send('server', TCP.FIN | TCP.ACK);
  send('client', TCP.ACK);

  const header = new Uint8Array(24);
  const h = new DataView(header.buffer);
  h.setUint32(0, 0xa1b2c3d4, true); // magic: microsecond timestamps
  h.setUint16(4, 2, true);
  h.setUint16(6, 4, true);
  h.setUint32(16, 65535, true); // snaplen
  h.setUint32(20, LINKTYPE_ETHERNET, true);
  const start = options.startTime ?? 0;
  const records = frames.map((frame, n) => {
    const micros = start * 1000 + n * 1000;
    const record = new Uint8Array(16 + frame.length);
    const r = new DataView(record.buffer);
    r.setUint32(0, Math.floor(micros / 1e6), true);
    r.setUint32(4, micros % 1e6, true);
    r.setUint32(8, frame.length, true);
    r.setUint32(12, frame.length, true);
    record.set(frame, 16);
    return record;
  });
  return concat(header, ...records);
}
