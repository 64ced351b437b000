import type { SocketSource } from '../platform/source';

/**
 * CPU time (ms, user + system) SockScope has used so far: this process's, all threads, plus that of the
 * source's helper processes (the Linux netlink helper), which the process's own figure does not include.
 * For the sampler's CPU budget (SamplerOptions.cpuTimeMs): CPU time, unlike elapsed time, does not grow
 * when other load on the machine keeps SockScope waiting for a core.
 */
export function samplingCpuTimeMs(source: SocketSource): () => number {
  return () => {
    const u = process.cpuUsage();
    return (u.user + u.system) / 1000 + (source.helperCpuMs?.() ?? 0);
  };
}
