/**
 * Two sides of a comparison measured alike (posting on and off, a policy change and a cancellation):
 * each side's CPU per operation, the worker's beside the others (its work goes on after the answer),
 * and one side's figures over the other's.
 */
import { cpuMsPer, type CpuSnapshot } from './cpu-time';

/** Milliseconds of CPU per operation of each process of a side, the worker's beside them. */
export type CpuPerOperation = ReturnType<typeof cpuMsPer> & { worker: number };

export function cpuPerOperation(cpu: CpuSnapshot, workerSeconds: number, operations: number): CpuPerOperation {
  return { ...cpuMsPer(cpu, operations), worker: Math.round((workerSeconds * 1e5) / operations) / 100 };
}

export interface SideFigures {
  p50Ms: number;
  p95Ms: number;
  cpuMsPerOperation: CpuPerOperation;
}

/** `side` over `base`: the p50 and p95 latencies and all processes' CPU per operation, the worker's with them. */
export function sideRatios(side: SideFigures, base: SideFigures): { p50Ratio: number; p95Ratio: number; cpuRatio: number } {
  const cpuTotal = ({ cpuMsPerOperation }: SideFigures) => cpuMsPerOperation.total + cpuMsPerOperation.worker;
  return {
    p50Ratio: side.p50Ms / base.p50Ms,
    p95Ratio: side.p95Ms / base.p95Ms,
    cpuRatio: cpuTotal(side) / cpuTotal(base),
  };
}
