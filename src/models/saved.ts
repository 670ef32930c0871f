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

/** Loads a model saved by `run --save-models` from its folder (`<results>/models/<run-id>/`). */
export async function loadSavedModel(dir: string): Promise<tf.LayersModel> {
  const json = JSON.parse(await readFile(join(dir, MODEL_FILE), 'utf8')) as {
    modelTopology: object;
    weightsManifest: { weights: tf.io.WeightsManifestEntry[] }[];
    format?: string;
    generatedBy?: string;
  };
  const bytes = await readFile(join(dir, WEIGHTS_FILE));
  const weightData = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
  return tf.loadLayersModel(
    tf.io.fromMemory({
      modelTopology: json.modelTopology,
      weightSpecs: json.weightsManifest.flatMap((g) => g.weights),
      weightData,
      format: json.format,
      generatedBy: json.generatedBy,
    }),
  );
}
