import { injectable } from 'inversify';

/** An in-memory file system: the service the tools get injected. */
@injectable()
export class FileStore {
  readonly #files = new Map<string, string>([['/notes/todo.txt', 'buy milk']]);

  list(): string[] {
    return [...this.#files.keys()].sort();
  }

  read(path: string): string | undefined {
    return this.#files.get(path);
  }

  write(path: string, content: string): void {
    this.#files.set(path, content);
  }

  delete(path: string): boolean {
    return this.#files.delete(path);
  }
}
