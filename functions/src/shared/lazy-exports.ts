/**
 * Defines each deployed function as a getter on `target` (the entry module's exports) that
 * loads its domain's module when first read, and checks that module has it.
 *
 * Why: Cloud Functions (2nd gen) runs one function per service and the runtime reads only the
 * export an instance serves (FUNCTION_TARGET); the emulator does the same per worker. With
 * getters an instance loads that function's domain and what it imports, not every module of
 * the codebase (the S3 SDK, pngjs...), which is what a cold start pays for. Discovery (the
 * deploy, the emulator's start, the tests) reads every export and so still sees all of them.
 * No library does this for firebase-functions; its docs suggest imports inside handlers, which
 * would scatter lazy imports over every handler instead of one table.
 */
export function exportLazily(target: object, domains: [load: () => Record<string, unknown>, names: string[]][]): void {
  for (const [load, names] of domains) {
    let loaded: Record<string, unknown> | undefined;
    for (const name of names)
      Object.defineProperty(target, name, {
        enumerable: true,
        configurable: false,
        get() {
          loaded ??= load();
          if (loaded[name] === undefined) throw new Error(`the module wired for ${name} does not export it`);
          return loaded[name];
        },
      });
  }
}
