/**
 * Hours of operation: whether a moment falls inside them, in the hours' own time zone. A day
 * whose start equals its end (00:00–00:00, as Amazon Connect's 24x7 "Basic Hours") is open all
 * day; an end before the start runs past midnight into the next day.
 */

export interface HoursConfig {
  Day: string;
  StartTime: { Hours: number; Minutes: number };
  EndTime: { Hours: number; Minutes: number };
}

const DAYS = ['SUNDAY', 'MONDAY', 'TUESDAY', 'WEDNESDAY', 'THURSDAY', 'FRIDAY', 'SATURDAY'];

/** Day of week (0 = Sunday) and minute of day of `at` in `timeZone`. */
function local(at: number, timeZone: string): { day: number; minute: number } {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone,
    weekday: 'short',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).formatToParts(new Date(at));
  const get = (type: string) => parts.find((p) => p.type === type)?.value ?? '';
  const day = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'].indexOf(get('weekday'));
  return { day, minute: Number(get('hour')) * 60 + Number(get('minute')) };
}

export function isWithinHours(config: HoursConfig[], timeZone: string, at: number): boolean {
  const { day, minute } = local(at, timeZone);
  for (const slice of config) {
    const d = DAYS.indexOf(slice.Day);
    const start = slice.StartTime.Hours * 60 + slice.StartTime.Minutes;
    const end = slice.EndTime.Hours * 60 + slice.EndTime.Minutes;
    if (start === end) {
      if (d === day) return true;
    } else if (start < end) {
      if (d === day && minute >= start && minute < end) return true;
    } else {
      // Past midnight: the evening of day d and the early hours of the next day.
      if (d === day && minute >= start) return true;
      if ((d + 1) % 7 === day && minute < end) return true;
    }
  }
  return false;
}
