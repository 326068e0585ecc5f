import { defineConfig } from "vite";

// The panel is built into panel/dist, which the Hosting emulator serves (firebase.json).
// Where the emulators listen comes from the stack at build time (FRESCO_PANEL_* variables).
export default defineConfig({
  root: import.meta.dirname,
  envPrefix: "FRESCO_PANEL_",
  build: { outDir: "dist", emptyOutDir: true, sourcemap: true },
});
