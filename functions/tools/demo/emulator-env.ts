import { stackConfig } from "../stack/offset";

/** Points firebase-admin in this process at the local emulators (the standard ports, or
 *  those of FRESCO_PORT_OFFSET) unless the environment already does, as
 *  `firebase emulators:exec` does for tests. */
export function useEmulators(): void {
  const { env } = stackConfig({ writeConfig: false });
  for (const [name, value] of Object.entries(env)) process.env[name] ??= value;
}
