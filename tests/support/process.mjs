// Stopping a child process for good: the tests, the demo and the bench start
// workerd, and workerd does not stop on SIGTERM while a request is still
// being received (a keep-alive connection in the middle of an upload, a
// client that sent half its headers): it waits for that request, for ever
// in the first case. So SIGTERM first, for a clean exit, and SIGKILL once
// `graceMs` have passed; resolved only once the process has exited.

/**
 * @param {import('node:child_process').ChildProcess} proc
 * @param {{ graceMs?: number }} [options]
 * @returns {Promise<{ code: number | null, signal: string | null }>} how it ended
 */
export async function stopProcess(proc, { graceMs = 5000 } = {}) {
  const ended = () => ({ code: proc.exitCode, signal: proc.signalCode });
  if (proc.exitCode !== null || proc.signalCode !== null) return ended();
  const exited = new Promise((resolve) => proc.once('exit', resolve));
  proc.kill('SIGTERM');
  const timer = setTimeout(() => proc.kill('SIGKILL'), graceMs);
  try {
    await exited;
  } finally {
    clearTimeout(timer);
  }
  return ended();
}
