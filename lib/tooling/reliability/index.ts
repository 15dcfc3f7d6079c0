export {
  awsError,
  connectionReset,
  injectFaults,
  injectRandomFaults,
  seededRandom,
  type FaultCounts,
  type FaultRates,
} from './faults.ts';
export {
  runScenario,
  startReliabilityEnv,
  type KillPoint,
  type ReliabilityEnv,
  type ScenarioResult,
  type ScenarioSpec,
} from './harness.ts';
export { scenarios } from './scenarios.ts';
