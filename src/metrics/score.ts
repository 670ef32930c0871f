/**
 * The score of a batch of logits against its labels, as sums that fold over batches on the device: what evaluate()
 * (test split) and the unit probe (the clean training-set score) compute and read back, the same way.
 */
import { tf } from '../tf.js';

/** Summed softmax cross-entropy and the number of correct argmax predictions of one batch (caller disposes). */
export function scoreBatch(logits: tf.Tensor, y: tf.Tensor, classes: number): [tf.Scalar, tf.Scalar] {
  return tf.tidy(() => {
    const loss = tf.losses.softmaxCrossEntropy(
      tf.oneHot(y as tf.Tensor1D, classes),
      logits,
      undefined,
      0,
      tf.Reduction.SUM,
    );
    const hits = tf.sum(tf.cast(tf.equal(tf.argMax(logits, 1), y), 'float32'));
    return [loss as tf.Scalar, hits as tf.Scalar];
  });
}

/** Mean loss and accuracy from a scan's summed loss and correct count over `samples`, in one read (caller disposes). */
export async function readScore(
  [lossSum, correct]: tf.Tensor[],
  samples: number,
): Promise<{ loss: number; acc: number }> {
  const both = tf.tidy(() => tf.concat([tf.reshape(lossSum, [1]), tf.reshape(correct, [1])]));
  try {
    const [loss, hits] = await both.data();
    return { loss: loss / samples, acc: hits / samples };
  } finally {
    both.dispose();
  }
}
