// Property tests explore with a fresh random seed on every local run, and print it when they
// fail. CI uses a fixed seed (or PROVSPEC_PROPERTY_SEED), so that a landing is decided by the
// code, not by which inputs a run happened to draw; counterexamples found locally become
// regression tests.
import fc from 'fast-check';

const fixed = process.env['PROVSPEC_PROPERTY_SEED'] ?? (process.env['CI'] === 'true' ? '20261201' : undefined);
if (fixed !== undefined) fc.configureGlobal({ seed: Number(fixed) });
