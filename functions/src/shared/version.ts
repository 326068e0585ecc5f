/** Fresco's release version, reported by `health`; a test keeps it equal to package.json. */
export const frescoVersion = "0.1.0";
