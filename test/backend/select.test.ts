/**
 * Backend selection. The native binding is not installed on CI machines (and never a test
 * dependency): the tests that rely on its absence skip themselves where it is installed, and
 * its GPU detection is tested on stand-in backend objects.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tf } from '../../src/tf.js';
import { UserError } from '../../src/errors.js';
import { exitCodeOf } from '../../src/exit-codes.js';
import { availableBackends, selectBackend, type BackendRequest } from '../../src/backend/select.js';
import { describeImportError, describeNativeDevice } from '../../src/backend/native.js';
import { requires } from '../helpers/requires.js';
import { probeWebGpu } from '../../src/backend/webgpu.js';

function installed(specifier: string): boolean {
  try {
    import.meta.resolve(specifier);
    return true;
  } catch {
    return false;
  }
}
const nativeInstalled = installed('@tensorflow/tfjs-node-gpu') || installed('@tensorflow/tfjs-node');
// These tests check what a user without the native binding sees, so they need it absent.
const noNative = (): ReturnType<typeof requires> =>
  requires(
    'no native TF.js binding installed',
    nativeInstalled
      ? 'a native TF.js binding is installed here; run these tests without @tensorflow/tfjs-node(-gpu)'
      : null,
  );
const webgpu = await probeWebGpu();
const hardware = await probeWebGpu({ hardwareOnly: true });
// auto would pick a hardware WebGPU adapter before wasm, so the wasm pick below needs none.
const noNativeNoGpu = (): ReturnType<typeof requires> =>
  requires(
    'no native TF.js binding and no hardware WebGPU adapter',
    nativeInstalled
      ? 'a native TF.js binding is installed here; run these tests without @tensorflow/tfjs-node(-gpu)'
      : hardware.ok && !hardware.adapter.software
        ? 'WebGPU has a hardware adapter here, which auto prefers to wasm'
        : null,
  );

test('cpu: selected, no GPU, install banner silenced', async () => {
  const selection = await selectBackend('cpu');
  assert.deepEqual(selection, { name: 'cpu', gpu: false, notes: [] });
  assert.equal(tf.getBackend(), 'cpu');
  assert.equal(tf.env().getBool('PROD'), true, 'the cpu banner is not silenced');
});

test('wasm: selected with the filter-gradient kernel registered', async () => {
  const selection = await selectBackend('wasm');
  assert.deepEqual(selection, { name: 'wasm', gpu: false, notes: [] });
  assert.equal(tf.getBackend(), 'wasm');
  assert.ok(tf.getKernel('Conv2DBackpropFilter', 'wasm') != null);
});

test('tensorflow: missing binding is a UserError (exit 1) that says how to install it', noNative(), async () => {
  await assert.rejects(selectBackend('tensorflow'), (err: unknown) => {
    assert.ok(err instanceof UserError);
    assert.equal(exitCodeOf(err), 1);
    assert.match(
      err.message,
      /^backend 'tensorflow' is not available: neither @tensorflow\/tfjs-node-gpu nor @tensorflow\/tfjs-node is installed/,
    );
    assert.match(
      err.hint ?? '',
      /npm install @tensorflow\/tfjs-node-gpu \(needs network access to download libtensorflow, and CUDA/,
    );
    assert.ok(!err.message.includes('npm install'), 'the hint is printed once, as the hint, not in the message too');
    assert.ok(!err.message.includes('\n'), 'message is one line');
    return true;
  });
});

test(
  'auto: picks wasm here and notes in one line why tensorflow and webgpu were skipped',
  noNativeNoGpu(),
  async () => {
    await selectBackend('cpu');
    const selection = await selectBackend('auto');
    assert.equal(selection.name, 'wasm');
    assert.equal(selection.gpu, false);
    assert.equal(tf.getBackend(), 'wasm');
    assert.equal(selection.notes.length, 2, selection.notes.join(' | '));
    assert.equal(
      selection.notes[0],
      'tensorflow: neither @tensorflow/tfjs-node-gpu nor @tensorflow/tfjs-node is installed (their install step downloads libtensorflow)',
    );
    // auto tries Vulkan only (a hardware adapter): no GPU here, so webgpu is skipped with its reason.
    assert.match(selection.notes[1], /^webgpu: (no GPU: .+|skipped, its adapter is a software renderer \(.+\))$/);
    for (const note of selection.notes) assert.ok(!note.includes('\n') && !note.includes('    at '), 'no stack trace');
  },
);

test('unknown names are usage errors', async () => {
  await assert.rejects(
    selectBackend('webgl' as BackendRequest),
    (err: unknown) => err instanceof UserError && exitCodeOf(err) === 2,
  );
});

test('availableBackends reports all four and restores the active backend', async () => {
  await selectBackend('cpu');
  const list = await availableBackends();
  assert.deepEqual(
    list.map((b) => b.name),
    ['tensorflow', 'webgpu', 'wasm', 'cpu'],
  );
  // webgpu is listed as usable only when `run --backend webgpu` starts on it, and says when `auto` passes it by.
  const listed = list.find((b) => b.name === 'webgpu');
  const starts = await selectBackend('webgpu').then(
    () => true,
    () => false,
  );
  await selectBackend('cpu');
  assert.equal(listed?.available, starts, listed?.reason);
  const byAuto = hardware.ok && !hardware.adapter.software;
  if (starts && !byAuto) assert.match(listed?.reason ?? '', /only with --backend webgpu: auto skips it/);
  if (starts && byAuto) assert.doesNotMatch(listed?.reason ?? '', /auto skips it/);
  if (!webgpu.ok) assert.equal(listed?.reason, webgpu.reason);
  assert.equal(list.find((b) => b.name === 'wasm')?.available, true);
  assert.match(list.find((b) => b.name === 'wasm')?.reason ?? '', /thread/);
  assert.equal(list.find((b) => b.name === 'cpu')?.available, true);
  if (!nativeInstalled) assert.match(list[0].reason, /^neither .* is installed/);
  assert.equal(tf.getBackend(), 'cpu');
});

test('GPU detection: the GPU build without a visible GPU is flagged, not reported as GPU', () => {
  const gpuPackage = '@tensorflow/tfjs-node-gpu';
  assert.deepEqual(describeNativeDevice({ isGPUPackage: true, isUsingGpuDevice: true }, gpuPackage), {
    gpu: true,
    notes: [],
  });
  const fallback = describeNativeDevice({ isGPUPackage: true, isUsingGpuDevice: false }, gpuPackage);
  assert.equal(fallback.gpu, false);
  assert.match(fallback.notes[0], /warning: @tensorflow\/tfjs-node-gpu found no GPU device and runs on the CPU/);
  assert.deepEqual(describeNativeDevice({ isGPUPackage: false, isUsingGpuDevice: false }, '@tensorflow/tfjs-node'), {
    gpu: false,
    notes: [],
  });
  const unknown = describeNativeDevice({}, gpuPackage);
  assert.equal(unknown.gpu, false);
  assert.match(unknown.notes[0], /cannot tell/);
});

test('import failures are one line: not installed vs. a native addon that fails to load', () => {
  const missing = Object.assign(new Error("Cannot find package '@tensorflow/tfjs-node-gpu' imported from /x.js"), {
    code: 'ERR_MODULE_NOT_FOUND',
  });
  assert.equal(
    describeImportError('@tensorflow/tfjs-node-gpu', missing),
    '@tensorflow/tfjs-node-gpu is not installed (its install step downloads libtensorflow)',
  );
  const dlopen = new Error(
    'libtensorflow.so.2: cannot open shared object file: No such file or directory\n    at Module._extensions..node',
  );
  assert.equal(
    describeImportError('@tensorflow/tfjs-node', dlopen),
    '@tensorflow/tfjs-node is installed but failed to load: libtensorflow.so.2: cannot open shared object file: No such file or directory',
  );
  const nestedMissing = Object.assign(new Error("Cannot find module 'node-pre-gyp'"), { code: 'MODULE_NOT_FOUND' });
  assert.match(
    describeImportError('@tensorflow/tfjs-node', nestedMissing),
    /installed but failed to load: Cannot find module 'node-pre-gyp'/,
  );
});
