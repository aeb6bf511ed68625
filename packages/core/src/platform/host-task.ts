/**
 * Runs `task` on a later turn of the host's event loop, after pending I/O:
 * Node's setImmediate, or in a page a MessageChannel message (a zero
 * setTimeout is clamped to 4 ms once nested, which would idle the run loop).
 */
export const queueHostTask: (task: () => void) => void =
  typeof globalThis.setImmediate === 'function'
    ? (task) => {
        setImmediate(task);
      }
    : channelTasks();

function channelTasks(): (task: () => void) => void {
  const tasks: (() => void)[] = [];
  const channel = new MessageChannel();
  // A page's MessagePort (Node's types describe worker_threads' instead).
  (channel.port1 as unknown as { onmessage: () => void }).onmessage = () => tasks.shift()?.();
  return (task) => {
    tasks.push(task);
    channel.port2.postMessage(null);
  };
}
