/**
 * A trained model as files, in TF.js's layers format: `model.json` (topology and weights manifest, as
 * tf.io's file handlers write it) and one `weights.bin`. The worker turns the model into these bytes
 * (it holds the model, but writes no files); the runner writes them under `models/<run-id>/`.
 * `loadSavedModel` reads them back, also with `tf.loadLayersModel` elsewhere (tfjs-node's `file://`).
 * Custom layers (N-ReLU, RReLU, PReLU, SiLU, GELU, SeededDropout, a user module's class) round-trip
 * through TF.js's serialization registry: import nrelu-bench (and load a user module) before loading.
 */
import { join } from 'node:path';
import { tf } from '../tf.js';
import { ResultsError, errorMessage } from '../errors.js';
import { readRegularFile } from '../regular-file.js';

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

/** The most a model.json may hold: a topology and weights manifest are kilobytes; a file far bigger is not one. */
const MODEL_JSON_MAX_BYTES = 16 * 1024 * 1024;
const DTYPE_BYTES: Record<string, number> = { float32: 4, int32: 4, bool: 1 };

interface ModelJson {
  modelTopology: object;
  weightsManifest: { weights: tf.io.WeightsManifestEntry[] }[];
  format?: string;
  generatedBy?: string;
}

function notSaved(path: string, what: string): ResultsError {
  return new ResultsError(`${path}: ${what}, not a model nrelu-bench saved`, {
    hint: 'the folder was edited by hand or is damaged; retrain the run with --save-models (or restore a copy)',
  });
}

/** model.json parsed, and the size weights.bin must have by its weights manifest (unquantized weights only). */
function parseModelJson(path: string, text: string): { json: ModelJson; weightBytes: number } {
  let json: ModelJson;
  try {
    json = JSON.parse(text) as ModelJson;
  } catch (err) {
    throw notSaved(path, `not valid JSON (${err instanceof Error ? err.message : String(err)})`);
  }
  const groups: unknown = json?.weightsManifest;
  if (typeof json?.modelTopology !== 'object' || !Array.isArray(groups)) throw notSaved(path, 'no topology or weights');
  let weightBytes = 0;
  for (const w of json.weightsManifest.flatMap((g) => (Array.isArray(g?.weights) ? g.weights : [null]))) {
    const size = DTYPE_BYTES[String(w?.dtype)];
    const shape: unknown = w?.shape;
    if (!w || size === undefined || w.quantization || !Array.isArray(shape))
      throw notSaved(path, `weight ${String(w?.name)} is ${w?.quantization ? 'quantized' : 'malformed'}`);
    if (!shape.every((d) => Number.isSafeInteger(d) && (d as number) >= 0)) throw notSaved(path, 'a bad weight shape');
    weightBytes += size * (shape as number[]).reduce((a, b) => a * b, 1);
  }
  return { json, weightBytes };
}

/** A saved model's file read as data; a missing file or folder is one line naming the model's folder. */
async function readModelFile(dir: string, file: string, limit: Parameters<typeof readRegularFile>[1]): Promise<Buffer> {
  try {
    return await readRegularFile(join(dir, file), limit);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code !== 'ENOENT' && code !== 'ENOTDIR') throw err;
    throw new ResultsError(`saved model ${dir}${code === 'ENOENT' ? `: ${file} not found` : ' is not a folder'}`, {
      hint: 'pass a folder written by `run --save-models` (<results>/models/<run-id>/)',
    });
  }
}

/**
 * Loads a model saved by `run --save-models` from its folder (`<results>/models/<run-id>/`). Both files are read as
 * data: regular files only (no link, FIFO or device), model.json of bounded size, weights.bin of exactly the size
 * its weights manifest gives (quantized weights are refused: the harness never writes them).
 */
export async function loadSavedModel(dir: string): Promise<tf.LayersModel> {
  const jsonPath = join(dir, MODEL_FILE);
  const text = (await readModelFile(dir, MODEL_FILE, { maxBytes: MODEL_JSON_MAX_BYTES })).toString('utf8');
  const { json, weightBytes } = parseModelJson(jsonPath, text);
  const bytes = await readModelFile(dir, WEIGHTS_FILE, { exactBytes: weightBytes });
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
    // TF.js's own message for an unregistered class quotes its minified source: one line of it is enough.
    const first = errorMessage(err)
      .split('\n')[0]
      .replace(/\. This may be due to.*$/, '');
    throw new ResultsError(`saved model ${dir}: TF.js could not load it: ${first}`, {
      hint: /Unknown layer/i.test(first)
        ? "a user activation's layer: import its module file first (that registers its class)"
        : `${MODEL_FILE} and ${WEIGHTS_FILE} must come from the same \`run --save-models\``,
    });
  }
}
