import { defineConfig } from "vite";

// The panel is built into panel/dist, which the Hosting emulator serves (firebase.json).
// Where the functions are comes at build time in FRESCO_PANEL_* variables: from the stack
// (`npm start`, `npm test`: the emulators' hosts) or from functions/tools/deploy/build-panel.ts
// (firebase.json's predeploy); both give the region the functions' FRESCO_REGION param has.
if (!process.env.FRESCO_PANEL_REGION)
  throw new Error("FRESCO_PANEL_REGION is not set: the panel is built by the stack or by build-panel.ts");

export default defineConfig({
  root: import.meta.dirname,
  envPrefix: "FRESCO_PANEL_",
  build: { outDir: "dist", emptyOutDir: true, sourcemap: true },
});
