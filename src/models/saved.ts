/**
 * A trained model as files, in TF.js's layers format: `model.json` (topology and weights manifest, as
 * tf.io's file handlers write it) and one `weights.bin`. The worker turns the model into these bytes
 * (it holds the model, but writes no files); the runner writes them under `models/<run-id>/`.
 * `loadSavedModel` reads them back, also with `tf.loadLayersModel` elsewhere (tfjs-node's `file://`).
 * Custom layers (N-ReLU, RReLU, PReLU, SiLU, GELU, SeededDropout, a user module's class) round-trip
 * through TF.js's serialization registry: import nrelu-bench (and load a user module) before loading.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { tf } from '../tf.js';
import { ResultsError, UsageError, errorMessage } from '../errors.js';

export const MODEL_FILE = 'model.json';
export const WEIGHTS_FILE = 'weights.bin';

/** The two files of a saved model: model.json's text and weights.bin's bytes. */
export interface SavedModelFiles {
  modelJson: string;
  weights: ArrayBuffer;
}

/** Serializes `model` (topology and current weights) without touching the file system. */
export async function modelFiles(model: tf.LayersModel): Promise<SavedModelFiles> {
  let artifacts: tf.io.ModelArtifacts | undefined;
  await model.save(
    tf.io.withSaveHandler(async (a) => {
      artifacts = a;
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
  );
  if (!artifacts?.weightSpecs || !artifacts.weightData) throw new Error('TF.js saved no weights for the model');
  const weights = tf.io.CompositeArrayBuffer.join(artifacts.weightData);
  const json = {
    modelTopology: artifacts.modelTopology,
    format: artifacts.format ?? 'layers-model',
    generatedBy: artifacts.generatedBy,
    convertedBy: artifacts.convertedBy ?? null,
    weightsManifest: [{ paths: [`./${WEIGHTS_FILE}`], weights: artifacts.weightSpecs }],
  };
  return { modelJson: `${JSON.stringify(json)}\n`, weights };
}

/** What model.json holds (the part `loadSavedModel` reads). */
interface ModelJson {
  modelTopology: object;
  weightsManifest: { weights: tf.io.WeightsManifestEntry[] }[];
  format?: string;
  generatedBy?: string;
}

const SAVED_HINT = 'pass a folder written by `run --save-models` (<results>/models/<run-id>/)';

async function readSavedFile(dir: string, file: string): Promise<Buffer> {
  try {
    return await readFile(join(dir, file));
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const what =
      code === 'ENOENT'
        ? `${dir}: ${file} not found`
        : code === 'ENOTDIR'
          ? `${dir} is not a folder`
          : `${dir}: ${file}: ${errorMessage(err).split('\n')[0]}`;
    throw new UsageError(`saved model ${what}`, { hint: SAVED_HINT });
  }
}

function parseModelJson(dir: string, text: string): ModelJson {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new ResultsError(`saved model ${dir}: ${MODEL_FILE} is not JSON (${errorMessage(err).split('\n')[0]})`, {
      hint: SAVED_HINT,
    });
  }
  const j = json as Partial<ModelJson> | null;
  if (
    j === null ||
    typeof j !== 'object' ||
    typeof j.modelTopology !== 'object' ||
    j.modelTopology === null ||
    !Array.isArray(j.weightsManifest) ||
    !j.weightsManifest.every((g) => Array.isArray(g?.weights))
  ) {
    throw new ResultsError(`saved model ${dir}: ${MODEL_FILE} is not a TF.js layers model (no modelTopology)`, {
      hint: SAVED_HINT,
    });
  }
  return j as ModelJson;
}

/**
 * Loads a model saved by `run --save-models` from its folder (`<results>/models/<run-id>/`). A missing or damaged
 * file, or a layer class nobody registered (a user module not loaded), is a one-line UserError, never TF.js's own.
 */
export async function loadSavedModel(dir: string): Promise<tf.LayersModel> {
  const json = parseModelJson(dir, (await readSavedFile(dir, MODEL_FILE)).toString('utf8'));
  const bytes = await readSavedFile(dir, WEIGHTS_FILE);
  const weightData = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
  try {
    return await tf.loadLayersModel(
      tf.io.fromMemory({
        modelTopology: json.modelTopology,
        weightSpecs: json.weightsManifest.flatMap((g) => g.weights),
        weightData,
        format: json.format,
        generatedBy: json.generatedBy,
      }),
    );
  } catch (err) {
    const first = errorMessage(err)
      .split('\n')[0]
      .replace(/\. This may be due to.*$/, '');
    const unknown = /Unknown layer/i.test(first);
    throw new ResultsError(`saved model ${dir}: TF.js could not load it: ${first}`, {
      hint: unknown
        ? "a user activation's layer: import its module file first (that registers its class)"
        : `${MODEL_FILE} and ${WEIGHTS_FILE} must come from the same \`run --save-models\``,
    });
  }
}
