/** The generator and its stream splitting live in src/random/; this re-export keeps older imports working. */
export { Rng, ZIGGURAT_TABLES } from '../random/rng.js';
export { STREAM, streamState, textKey, derivedSeed, isValidSeed, type StreamPurpose } from '../random/streams.js';
