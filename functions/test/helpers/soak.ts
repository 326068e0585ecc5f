/**
 * The soak switch: `FRESCO_SOAK=1 npm test` runs the long randomized and load tests at their
 * full sizes (the sizes `npm test` ran until 2026-12-07). By default they run smaller, at sizes
 * that were each shown to still fail on a deliberate bug of the kind they exist to catch (the
 * README's test section lists the bug for each).
 */
export const soak = process.env.FRESCO_SOAK === "1";

/** `byDefault` in an ordinary run, `soaked` under FRESCO_SOAK=1. */
export const soakSize = (byDefault: number, soaked: number): number => (soak ? soaked : byDefault);
