import { stackLayout } from "../stack/layout";

/** Points firebase-admin in this process at the local emulators (the standard ports, or
 *  those of FRESCO_PORT_OFFSET) unless the environment already does, as
 *  `firebase emulators:exec` does for tests. */
export function useEmulators(): void {
  for (const [name, value] of Object.entries(stackLayout().env)) process.env[name] ??= value;
}
