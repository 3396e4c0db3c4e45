import assert from 'node:assert/strict';
import { test } from 'node:test';
import { errOf, okBytes } from '../../test/lib/result-bytes.ts';
import { encodeOptionValue } from './configured-options.ts';

test('signed option 2 as configured: -21600 and "-21600" encode as ff ff ab a0', () => {
  assert.deepEqual(
    okBytes(encodeOptionValue({ code: 2, type: 'i32', value: -21600 })),
    [0xff, 0xff, 0xab, 0xa0],
  );
  assert.deepEqual(
    okBytes(encodeOptionValue({ code: 2, type: 'i32', value: '-21600' })),
    [0xff, 0xff, 0xab, 0xa0],
  );
});

test('encodeOptionValue checks the value against its declared type', () => {
  assert.deepEqual(
    okBytes(encodeOptionValue({ code: 3, type: 'ips', value: ['10.91.1.1'] })),
    [10, 91, 1, 1],
  );
  assert.deepEqual(
    okBytes(encodeOptionValue({ code: 3, type: 'ips', value: '10.91.1.1' })),
    [10, 91, 1, 1],
  );
  assert.deepEqual(
    okBytes(encodeOptionValue({ code: 1, type: 'ip', value: '255.255.255.0' })),
    [255, 255, 255, 0],
  );
  assert.deepEqual(
    okBytes(encodeOptionValue({ code: 26, type: 'u16', value: 1500 })),
    [5, 0xdc],
  );
  assert.deepEqual(
    okBytes(encodeOptionValue({ code: 19, type: 'bool', value: false })),
    [0],
  );
  assert.deepEqual(
    okBytes(
      encodeOptionValue({ code: 43, type: 'hex', value: '01 04 0a 01 00 02' }),
    ),
    [1, 4, 10, 1, 0, 2],
  );
  assert.deepEqual(
    okBytes(
      encodeOptionValue({
        code: 160,
        type: 'string',
        value: 'http://10.91.1.1/prov',
      }),
    ),
    Array.from(Buffer.from('http://10.91.1.1/prov')),
  );
  assert.match(
    errOf(encodeOptionValue({ code: 0, type: 'u8', value: 1 })),
    /option 0: code must be 1-254/,
  );
  assert.match(
    errOf(encodeOptionValue({ code: 255, type: 'u8', value: 1 })),
    /code must be 1-254/,
  );
  assert.match(
    errOf(encodeOptionValue({ code: 1, type: 'ip', value: 5 })),
    /option 1: type ip/,
  );
  assert.match(
    errOf(encodeOptionValue({ code: 26, type: 'u16', value: 'big' })),
    /needs an integer/,
  );
  assert.match(
    errOf(encodeOptionValue({ code: 26, type: 'u16', value: 70000 })),
    /option 26: 70000/,
  );
  assert.match(
    errOf(encodeOptionValue({ code: 19, type: 'bool', value: 'yes' })),
    /true or false/,
  );
  assert.match(
    errOf(encodeOptionValue({ code: 3, type: 'ips', value: true })),
    /list of addresses/,
  );
  assert.match(
    errOf(encodeOptionValue({ code: 3, type: 'nope' as 'ip', value: 'x' })),
    /unknown type/,
  );
});
