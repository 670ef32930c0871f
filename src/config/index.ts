/** The config module's public surface: load a YAML config, apply overrides, expand the grid. */
export type {
  ActivationSetting,
  BackendName,
  DeadNeuronSettings,
  ModelKind,
  ResolvedConfig,
  RunSpec,
  ParamSchedule,
  ScheduleKind,
  TrainSettings,
  VariedParam,
} from './types.js';
export { loadConfig, parseYamlText, type LoadedConfig } from './load.js';
export { applyOverrides, parseOverride, type Override, type OverridePath } from './overrides.js';
export { BACKEND_NAMES, CONFIG_DEFAULTS, MODEL_KINDS, configSchema, validateConfig } from './schema.js';
export { canonicalJson, expandGrid, runHash } from './grid.js';
export {
  activationTag,
  formatNumber,
  parseVaried,
  resolveActivationEntry,
  type ResolvedActivation,
} from './activation-entry.js';
export { formatPath, type Problem } from './messages.js';
export { configModules, rebindModules, resolveActivationModules } from './modules.js';
