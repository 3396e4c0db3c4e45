import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  dhclientDiscover,
  polycomDiscover,
  udhcpcDiscover,
} from '../../../test/lib/dhcp-seeds.ts';
import { errOf, okBytes } from '../../../test/lib/result-bytes.ts';
import { catalog, optionName, optionType } from './catalog.ts';
import { formatPacket, packetSummary } from './format.ts';
import {
  bootServer,
  clientId,
  hostName,
  leaseTime,
  maxMessageSize,
  messageType,
  parameterRequestList,
  requestedIp,
  serverId,
  textOption,
  vendorClassRaw,
} from './options.ts';
import { type DhcpPacket, emptyPacket } from './packet.ts';
import {
  bool,
  hex,
  i32,
  ip,
  ipNumber,
  ips,
  string,
  u8,
  u8list,
  u16,
  u32,
} from './values.ts';

const withOpt = (code: number, ...bytes: number[]): DhcpPacket => {
  const p = emptyPacket();
  p.options.set(code, Uint8Array.from(bytes));
  return p;
};

test('accessors read well-formed values', () => {
  const p = udhcpcDiscover();
  assert.equal(messageType(p), 1);
  assert.deepEqual(parameterRequestList(p), [1, 3, 6, 12, 15, 28, 42]);
  assert.equal(Buffer.from(vendorClassRaw(p)!).toString(), 'udhcp 1.35.0');
  assert.deepEqual(
    Array.from(clientId(p)!),
    [1, 0x02, 0x42, 0xac, 0x11, 0x00, 0x02],
  );
  assert.equal(hostName(dhclientDiscover()), 'labhost');
  assert.equal(maxMessageSize(p), 576);
  assert.equal(requestedIp(dhclientDiscover()), 0x0a5b0139);
  assert.equal(serverId(withOpt(54, 10, 91, 1, 1)), 0x0a5b0101);
  assert.equal(leaseTime(withOpt(51, 0, 0, 0x0e, 0x10)), 3600);
  assert.equal(leaseTime(withOpt(51, 0xff, 0xff, 0xff, 0xff)), 0xffffffff);
  assert.equal(hostName(withOpt(12, 0x70, 0x68, 0x6f, 0x6e, 0x65, 0)), 'phone');
  assert.equal(textOption(withOpt(160, 0x66, 0x74, 0x70), 160), 'ftp');
  assert.equal(vendorClassRaw(polycomDiscover())![3], 0x3d);
});

test('accessors return undefined for absent and malformed values', () => {
  const none = emptyPacket();
  for (const f of [
    messageType,
    requestedIp,
    serverId,
    parameterRequestList,
    vendorClassRaw,
    clientId,
    hostName,
    leaseTime,
    maxMessageSize,
  ]) {
    assert.equal(f(none), undefined, f.name);
  }
  assert.equal(messageType(withOpt(53)), undefined);
  assert.equal(messageType(withOpt(53, 1, 1)), undefined);
  assert.equal(messageType(withOpt(53, 0)), undefined);
  assert.equal(requestedIp(withOpt(50, 10, 0, 0)), undefined);
  assert.equal(serverId(withOpt(54, 10, 0, 0, 1, 1)), undefined);
  assert.equal(parameterRequestList(withOpt(55)), undefined);
  assert.equal(vendorClassRaw(withOpt(60)), undefined);
  assert.equal(clientId(withOpt(61, 1)), undefined);
  assert.equal(hostName(withOpt(12)), undefined);
  assert.equal(hostName(withOpt(12, 0, 0)), undefined);
  assert.equal(leaseTime(withOpt(51, 1, 2, 3)), undefined);
  assert.equal(maxMessageSize(withOpt(57, 0x02)), undefined);
  assert.equal(maxMessageSize(withOpt(57, 0x02, 0x3f)), undefined); // 575 < 576
});

test('signed option 2: -21600 encodes as ff ff ab a0 and decodes back', () => {
  assert.deepEqual(okBytes(i32.encode(-21600)), [0xff, 0xff, 0xab, 0xa0]);
  assert.equal(i32.decode(Uint8Array.of(0xff, 0xff, 0xab, 0xa0)), -21600);
  assert.deepEqual(okBytes(i32.encode(3600)), [0, 0, 0x0e, 0x10]);
  assert.deepEqual(okBytes(i32.encode(-0x80000000)), [0x80, 0, 0, 0]);
  assert.equal(errOf(i32.encode(0x80000000)).includes('signed'), true);
});

test('value codecs: ip, ips, unsigned widths, string, bool, hex, u8list', () => {
  assert.deepEqual(okBytes(ip.encode('10.91.1.1')), [10, 91, 1, 1]);
  assert.equal(ip.decode(Uint8Array.of(255, 255, 255, 0)), '255.255.255.0');
  assert.notEqual(errOf(ip.encode('10.91.1.256')), 'ok');
  assert.equal(ipNumber.decode(Uint8Array.of(10, 0, 0, 1)), 0x0a000001);
  assert.deepEqual(
    okBytes(ips.encode(['10.0.0.1', '10.0.0.2'])),
    [10, 0, 0, 1, 10, 0, 0, 2],
  );
  assert.deepEqual(ips.decode(Uint8Array.of(1, 2, 3, 4, 5, 6, 7, 8)), [
    '1.2.3.4',
    '5.6.7.8',
  ]);
  assert.equal(ips.decode(Uint8Array.of(1, 2, 3)), undefined);
  assert.notEqual(errOf(ips.encode([])), 'ok');
  assert.deepEqual(okBytes(u8.encode(255)), [255]);
  assert.notEqual(errOf(u8.encode(256)), 'ok');
  assert.deepEqual(okBytes(u16.encode(1500)), [0x05, 0xdc]);
  assert.notEqual(errOf(u16.encode(-1)), 'ok');
  assert.deepEqual(okBytes(u32.encode(0xffffffff)), [255, 255, 255, 255]);
  assert.notEqual(errOf(u32.encode(1.5)), 'ok');
  assert.equal(u32.decode(Uint8Array.of(0x80, 0, 0, 1)), 0x80000001);
  assert.equal(u16.decode(Uint8Array.of(1)), undefined);
  assert.deepEqual(
    okBytes(string.encode('VLAN-A=200;')),
    Array.from(Buffer.from('VLAN-A=200;')),
  );
  assert.notEqual(errOf(string.encode('')), 'ok');
  assert.notEqual(errOf(string.encode('\u20ac')), 'ok');
  assert.equal(string.decode(Uint8Array.of(0x41, 0xe9)), 'A\u00e9');
  assert.deepEqual(okBytes(bool.encode(true)), [1]);
  assert.equal(bool.decode(Uint8Array.of(0)), false);
  assert.equal(bool.decode(Uint8Array.of(2)), undefined);
  assert.deepEqual(okBytes(hex.encode('00:04:F2')), [0, 4, 0xf2]);
  assert.deepEqual(okBytes(hex.encode('0x0102 03')), [1, 2, 3]);
  assert.notEqual(errOf(hex.encode('abc')), 'ok');
  assert.equal(hex.decode(Uint8Array.of(0, 0xab)), '00ab');
  assert.deepEqual(okBytes(u8list.encode([1, 3, 6])), [1, 3, 6]);
  assert.notEqual(errOf(u8list.encode([256])), 'ok');
});

test('bootServer: plain text for options 66 and 160', () => {
  assert.deepEqual(
    okBytes(bootServer('ftp://PlcmSpIp:PlcmSpIp@10.91.1.1/hq')),
    Array.from(Buffer.from('ftp://PlcmSpIp:PlcmSpIp@10.91.1.1/hq')),
  );
  assert.notEqual(errOf(bootServer('')), 'ok');
});

test('catalog names the options we use and types unknown codes as hex', () => {
  for (const code of [
    1, 2, 3, 6, 12, 15, 28, 42, 43, 50, 51, 53, 54, 55, 57, 58, 59, 60, 61, 66,
    67, 82, 119, 120, 125, 128, 144, 157, 160, 191,
  ]) {
    assert.ok(catalog.has(code), `catalog lacks ${code}`);
  }
  assert.equal(optionType(2), 'i32');
  assert.equal(optionName(160), 'polycom-boot-server');
  assert.equal(optionName(224), 'option-224');
  assert.equal(optionType(224), 'hex');
});

test('formatPacket gives a one-line summary', () => {
  assert.equal(
    formatPacket(polycomDiscover()),
    'DISCOVER xid=0x0004f2aa mac=00:04:f2:80:62:d6 ciaddr=0.0.0.0 yiaddr=0.0.0.0 giaddr=0.0.0.0 options=53,61,55,60,57',
  );
  assert.equal(packetSummary(emptyPacket()).type, 'BOOTP');
  assert.equal(packetSummary(withOpt(53, 42)).type, 'TYPE-42');
  assert.equal(
    JSON.parse(JSON.stringify(packetSummary(polycomDiscover()))).mac,
    '00:04:f2:80:62:d6',
  );
});
