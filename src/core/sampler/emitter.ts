/** A minimal typed event emitter (the core cannot use vscode.EventEmitter). */
export type Listener<T> = (value: T) => void;

export interface Disposable { dispose(): void }

export class Emitter<Events extends object> {
  private readonly listeners = new Map<keyof Events, Set<Listener<never>>>();

  on<K extends keyof Events>(name: K, listener: Listener<Events[K]>): Disposable {
    let set = this.listeners.get(name);
    if (!set) this.listeners.set(name, (set = new Set()));
    set.add(listener as Listener<never>);
    return { dispose: () => set.delete(listener as Listener<never>) };
  }

  /** Calls every listener; a throwing listener does not stop the others (its error is reported asynchronously). */
  emit<K extends keyof Events>(name: K, value: Events[K]): void {
    for (const l of [...(this.listeners.get(name) ?? [])]) {
      try {
        (l as Listener<Events[K]>)(value);
      } catch (e) {
        queueMicrotask(() => { throw e; });
      }
    }
  }

  clear(): void {
    this.listeners.clear();
  }
}
