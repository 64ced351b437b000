// The environment `sockscope run` gives the program: the recorder added to LD_PRELOAD after whatever
// the user preloads already (never replacing it).

export function withRecorder(env: NodeJS.ProcessEnv, library: string): NodeJS.ProcessEnv {
  const existing = (env.LD_PRELOAD ?? '').trim();
  // ld.so splits LD_PRELOAD at spaces and colons; keep the user's list as written and append ours.
  const already = existing.split(/[ :]+/).includes(library);
  return { ...env, LD_PRELOAD: already ? existing : existing ? `${existing}:${library}` : library };
}
