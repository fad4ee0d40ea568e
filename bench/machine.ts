/**
 * CPU time as Linux accounts it (/proc): what a process used, what the whole machine used, and
 * what the hypervisor took from this machine's virtual CPUs (steal), which on a shared host can
 * slow a round down without anything on the machine being busier.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

const CLOCK_TICKS = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;

/** The machine's CPU time so far (all cores), ms: busy includes steal. */
export function machineCpu(): { busyMs: number; stealMs: number } {
  const [, user, nice, system, , , irq, softirq, steal] = readFileSync('/proc/stat', 'utf8')
    .split('\n')[0]
    .trim()
    .split(/\s+/)
    .map(Number);
  const ms = (ticks: number) => (ticks * 1000) / CLOCK_TICKS;
  return { busyMs: ms(user + nice + system + irq + softirq + steal), stealMs: ms(steal) };
}

/** User + system CPU time a process has used so far, ms (from /proc/<pid>/stat). */
export function processCpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS;
}
