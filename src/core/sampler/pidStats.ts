import pidusage from 'pidusage';

/** CPU and memory of a process at one moment. */
export interface ProcessStatsSample {
  /** Percent of one core since the previous call for this pid (may exceed 100 on several cores). */
  readonly cpu: number;
  /** Resident set size in bytes. */
  readonly memory: number;
}

/** Optional provider the sampler asks for CPU/memory next to each snapshot. */
export interface ProcessStats {
  /** undefined when the process cannot be read (gone, or no permission); never throws. */
  sample(pid: number): Promise<ProcessStatsSample | undefined>;
  dispose(): void;
}

/** ProcessStats over the `pidusage` package (reads /proc on Linux, ps/wmic elsewhere). */
export class PidusageStats implements ProcessStats {
  async sample(pid: number): Promise<ProcessStatsSample | undefined> {
    try {
      const s = await pidusage(pid);
      return Number.isFinite(s.cpu) && Number.isFinite(s.memory) ? { cpu: s.cpu, memory: s.memory } : undefined;
    } catch {
      return undefined;
    }
  }

  /**
   * Nothing to release: pidusage expires its per-pid history by itself (60 s, on an unref'd timer), and
   * its clear() is global, so calling it here would reset the CPU baseline of other samplers.
   */
  dispose(): void {
    // intentionally empty
  }
}
