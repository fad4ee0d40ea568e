import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isWithinHours, type HoursConfig } from './hours.ts';

const slice = (Day: string, from: [number, number], to: [number, number]): HoursConfig => ({
  Day,
  StartTime: { Hours: from[0], Minutes: from[1] },
  EndTime: { Hours: to[0], Minutes: to[1] },
});

// 2024-01-01 was a Monday.
const utc = (day: number, h: number, m = 0) => Date.UTC(2024, 0, day, h, m);

test('open hours on a weekday, closed outside them and on other days', () => {
  const config = [slice('MONDAY', [9, 0], [17, 30])];
  assert.equal(isWithinHours(config, 'UTC', utc(1, 9)), true);
  assert.equal(isWithinHours(config, 'UTC', utc(1, 17, 29)), true);
  assert.equal(isWithinHours(config, 'UTC', utc(1, 17, 30)), false);
  assert.equal(isWithinHours(config, 'UTC', utc(1, 8, 59)), false);
  assert.equal(isWithinHours(config, 'UTC', utc(2, 10)), false);
});

test('00:00 to 00:00 is the whole day', () => {
  assert.equal(isWithinHours([slice('MONDAY', [0, 0], [0, 0])], 'UTC', utc(1, 23, 59)), true);
  assert.equal(isWithinHours([slice('MONDAY', [0, 0], [0, 0])], 'UTC', utc(2, 0, 0)), false);
});

test('hours past midnight run into the next day', () => {
  const config = [slice('FRIDAY', [22, 0], [2, 0])];
  assert.equal(isWithinHours(config, 'UTC', utc(5, 23)), true);
  assert.equal(isWithinHours(config, 'UTC', utc(6, 1, 59)), true);
  assert.equal(isWithinHours(config, 'UTC', utc(6, 2)), false);
});

test('the hours are read in their own time zone', () => {
  const config = [slice('MONDAY', [9, 0], [17, 0])];
  // 09:30 in New York on Monday 2024-01-01 is 14:30 UTC.
  assert.equal(isWithinHours(config, 'America/New_York', utc(1, 14, 30)), true);
  assert.equal(isWithinHours(config, 'America/New_York', utc(1, 9, 30)), false);
});
