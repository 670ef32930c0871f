;; nrelu-bench's SIMD kernels for the wasm backend. The module imports TF.js's own wasm memory, so
;; it reads and writes tensors where they lie (pointers are the backend's memoryOffsets, in bytes).
;; Compiled to simd-module.ts by `npm run build:simd` (wabt); test/backend/simd.test.ts checks that
;; the committed bytes are this file's.
;;
;; Every f32x4 add, mul, div and sqrt is the correctly rounded IEEE float32 operation, so these
;; loops give the same bits as the same operations done one kernel at a time.
(module
  (import "env" "memory" (memory 1))

  ;; One Adam step over n floats, in TF.js's operation order (see src/train/fused-adam.ts):
  ;;   m' = m*b1 + g*c1;  v' = v*b2 + (g*g)*c2;  x' = ((m'/a1) / (sqrt(v'/a2) + eps)) * nlr + x
  (func (export "adam")
    (param $x i32) (param $m i32) (param $v i32) (param $g i32)
    (param $ox i32) (param $om i32) (param $ov i32) (param $n i32)
    (param $b1 f32) (param $c1 f32) (param $b2 f32) (param $c2 f32)
    (param $a1 f32) (param $a2 f32) (param $eps f32) (param $nlr f32)
    (local $i i32) (local $end i32) (local $bytes i32)
    (local $gv v128) (local $nm v128) (local $nv v128)
    (local $B1 v128) (local $C1 v128) (local $B2 v128) (local $C2 v128)
    (local $A1 v128) (local $A2 v128) (local $EPS v128) (local $NLR v128)
    (local $gs f32) (local $nms f32) (local $nvs f32)
    (local.set $B1 (f32x4.splat (local.get $b1)))
    (local.set $C1 (f32x4.splat (local.get $c1)))
    (local.set $B2 (f32x4.splat (local.get $b2)))
    (local.set $C2 (f32x4.splat (local.get $c2)))
    (local.set $A1 (f32x4.splat (local.get $a1)))
    (local.set $A2 (f32x4.splat (local.get $a2)))
    (local.set $EPS (f32x4.splat (local.get $eps)))
    (local.set $NLR (f32x4.splat (local.get $nlr)))
    (local.set $bytes (i32.shl (local.get $n) (i32.const 2)))
    (local.set $end (i32.and (local.get $bytes) (i32.const -16)))
    (block $done
      (loop $vec
        (br_if $done (i32.ge_u (local.get $i) (local.get $end)))
        (local.set $gv (v128.load (i32.add (local.get $g) (local.get $i))))
        (local.set $nm (f32x4.add
          (f32x4.mul (v128.load (i32.add (local.get $m) (local.get $i))) (local.get $B1))
          (f32x4.mul (local.get $gv) (local.get $C1))))
        (local.set $nv (f32x4.add
          (f32x4.mul (v128.load (i32.add (local.get $v) (local.get $i))) (local.get $B2))
          (f32x4.mul (f32x4.mul (local.get $gv) (local.get $gv)) (local.get $C2))))
        (v128.store (i32.add (local.get $om) (local.get $i)) (local.get $nm))
        (v128.store (i32.add (local.get $ov) (local.get $i)) (local.get $nv))
        (v128.store (i32.add (local.get $ox) (local.get $i))
          (f32x4.add
            (f32x4.mul
              (f32x4.div
                (f32x4.div (local.get $nm) (local.get $A1))
                (f32x4.add (f32x4.sqrt (f32x4.div (local.get $nv) (local.get $A2))) (local.get $EPS)))
              (local.get $NLR))
            (v128.load (i32.add (local.get $x) (local.get $i)))))
        (local.set $i (i32.add (local.get $i) (i32.const 16)))
        (br $vec)))
    (block $tail_done
      (loop $tail
        (br_if $tail_done (i32.ge_u (local.get $i) (local.get $bytes)))
        (local.set $gs (f32.load (i32.add (local.get $g) (local.get $i))))
        (local.set $nms (f32.add
          (f32.mul (f32.load (i32.add (local.get $m) (local.get $i))) (local.get $b1))
          (f32.mul (local.get $gs) (local.get $c1))))
        (local.set $nvs (f32.add
          (f32.mul (f32.load (i32.add (local.get $v) (local.get $i))) (local.get $b2))
          (f32.mul (f32.mul (local.get $gs) (local.get $gs)) (local.get $c2))))
        (f32.store (i32.add (local.get $om) (local.get $i)) (local.get $nms))
        (f32.store (i32.add (local.get $ov) (local.get $i)) (local.get $nvs))
        (f32.store (i32.add (local.get $ox) (local.get $i))
          (f32.add
            (f32.mul
              (f32.div
                (f32.div (local.get $nms) (local.get $a1))
                (f32.add (f32.sqrt (f32.div (local.get $nvs) (local.get $a2))) (local.get $eps)))
              (local.get $nlr))
            (f32.load (i32.add (local.get $x) (local.get $i)))))
        (local.set $i (i32.add (local.get $i) (i32.const 4)))
        (br $tail)))
  )
  ;; Conv2D filter gradient for one input channel, stride 1, no padding, NHWC (a CNN's first
  ;; layer on greyscale images): acc[kh, kw, 0, co] += x[b, oh+kh, ow+kw, 0] * dy[b, oh, ow, co]
  ;; over b, oh, ow in that order, co four at a time (co % 4 == 0). acc must start at zero.
  (func (export "filterGradC1")
    (param $x i32) (param $dy i32) (param $acc i32)
    (param $B i32) (param $H i32) (param $W i32) (param $oH i32) (param $oW i32)
    (param $kH i32) (param $kW i32) (param $Co i32)
    (local $b i32) (local $oh i32) (local $ow i32) (local $kh i32) (local $kw i32) (local $c i32)
    (local $dyp i32) (local $xrow i32) (local $accp i32) (local $coBytes i32) (local $xs v128) (local $p i32)
    (local.set $coBytes (i32.shl (local.get $Co) (i32.const 2)))
    (local.set $dyp (local.get $dy))
    (local.set $b (i32.const 0))
    (loop $lb
      (local.set $oh (i32.const 0))
      (loop $loh
        (local.set $ow (i32.const 0))
        (loop $low
          (local.set $accp (local.get $acc))
          (local.set $kh (i32.const 0))
          (loop $lkh
            ;; address of x[b, oh+kh, ow, 0]
            (local.set $xrow (i32.add (local.get $x) (i32.shl
              (i32.add (i32.mul (i32.add (i32.mul (local.get $b) (local.get $H)) (i32.add (local.get $oh) (local.get $kh))) (local.get $W)) (local.get $ow))
              (i32.const 2))))
            (local.set $kw (i32.const 0))
            (loop $lkw
              (local.set $xs (v128.load32_splat (i32.add (local.get $xrow) (i32.shl (local.get $kw) (i32.const 2)))))
              (local.set $c (i32.const 0))
              (loop $lc
                (local.set $p (i32.add (local.get $accp) (local.get $c)))
                (v128.store (local.get $p) (f32x4.add (v128.load (local.get $p))
                  (f32x4.mul (local.get $xs) (v128.load (i32.add (local.get $dyp) (local.get $c))))))
                (local.set $c (i32.add (local.get $c) (i32.const 16)))
                (br_if $lc (i32.lt_u (local.get $c) (local.get $coBytes))))
              (local.set $accp (i32.add (local.get $accp) (local.get $coBytes)))
              (local.set $kw (i32.add (local.get $kw) (i32.const 1)))
              (br_if $lkw (i32.lt_u (local.get $kw) (local.get $kW))))
            (local.set $kh (i32.add (local.get $kh) (i32.const 1)))
            (br_if $lkh (i32.lt_u (local.get $kh) (local.get $kH))))
          (local.set $dyp (i32.add (local.get $dyp) (local.get $coBytes)))
          (local.set $ow (i32.add (local.get $ow) (i32.const 1)))
          (br_if $low (i32.lt_u (local.get $ow) (local.get $oW))))
        (local.set $oh (i32.add (local.get $oh) (i32.const 1)))
        (br_if $loh (i32.lt_u (local.get $oh) (local.get $oH))))
      (local.set $b (i32.add (local.get $b) (i32.const 1)))
      (br_if $lb (i32.lt_u (local.get $b) (local.get $B))))
  )

  ;; Conv2D input gradient for one input channel, stride 1, no padding, NHWC: for every dy pixel,
  ;; dx[b, oh+kh, ow+kw] += sum over co of dy[b, oh, ow, co] * w[kh, kw, 0, co] (co % 4 == 0,
  ;; the four lanes summed at the end). dx must start at zero.
  (func (export "inputGradC1")
    (param $dy i32) (param $w i32) (param $dx i32)
    (param $B i32) (param $H i32) (param $W i32) (param $oH i32) (param $oW i32)
    (param $kH i32) (param $kW i32) (param $Co i32)
    (local $b i32) (local $oh i32) (local $ow i32) (local $kh i32) (local $kw i32) (local $c i32)
    (local $dyp i32) (local $wp i32) (local $xrow i32) (local $coBytes i32) (local $s v128) (local $q i32)
    (local.set $coBytes (i32.shl (local.get $Co) (i32.const 2)))
    (local.set $dyp (local.get $dy))
    (local.set $b (i32.const 0))
    (loop $lb
      (local.set $oh (i32.const 0))
      (loop $loh
        (local.set $ow (i32.const 0))
        (loop $low
          (local.set $wp (local.get $w))
          (local.set $kh (i32.const 0))
          (loop $lkh
            (local.set $xrow (i32.add (local.get $dx) (i32.shl
              (i32.add (i32.mul (i32.add (i32.mul (local.get $b) (local.get $H)) (i32.add (local.get $oh) (local.get $kh))) (local.get $W)) (local.get $ow))
              (i32.const 2))))
            (local.set $kw (i32.const 0))
            (loop $lkw
              (local.set $s (v128.const f32x4 0 0 0 0))
              (local.set $c (i32.const 0))
              (loop $lc
                (local.set $s (f32x4.add (local.get $s)
                  (f32x4.mul (v128.load (i32.add (local.get $dyp) (local.get $c))) (v128.load (i32.add (local.get $wp) (local.get $c))))))
                (local.set $c (i32.add (local.get $c) (i32.const 16)))
                (br_if $lc (i32.lt_u (local.get $c) (local.get $coBytes))))
              (local.set $q (i32.add (local.get $xrow) (i32.shl (local.get $kw) (i32.const 2))))
              (f32.store (local.get $q) (f32.add (f32.load (local.get $q))
                (f32.add (f32.add (f32x4.extract_lane 0 (local.get $s)) (f32x4.extract_lane 1 (local.get $s)))
                         (f32.add (f32x4.extract_lane 2 (local.get $s)) (f32x4.extract_lane 3 (local.get $s))))))
              (local.set $wp (i32.add (local.get $wp) (local.get $coBytes)))
              (local.set $kw (i32.add (local.get $kw) (i32.const 1)))
              (br_if $lkw (i32.lt_u (local.get $kw) (local.get $kW))))
            (local.set $kh (i32.add (local.get $kh) (i32.const 1)))
            (br_if $lkh (i32.lt_u (local.get $kh) (local.get $kH))))
          (local.set $dyp (i32.add (local.get $dyp) (local.get $coBytes)))
          (local.set $ow (i32.add (local.get $ow) (i32.const 1)))
          (br_if $low (i32.lt_u (local.get $ow) (local.get $oW))))
        (local.set $oh (i32.add (local.get $oh) (i32.const 1)))
        (br_if $loh (i32.lt_u (local.get $oh) (local.get $oH))))
      (local.set $b (i32.add (local.get $b) (i32.const 1)))
      (br_if $lb (i32.lt_u (local.get $b) (local.get $B))))
  )
  ;; MaxPoolGrad of a 2x2, stride-2 pool inside the input, NHWC, C % 4 == 0: each window's
  ;; gradient goes to its first maximum in row-major order, NaN never wins (it becomes -Infinity),
  ;; a window of only NaN/-Infinity passes nothing. Writes all four positions of every window
  ;; (dy or +0); rows and columns no window covers are left as they are.
  (func (export "maxPoolGrad2x2")
    (param $x i32) (param $dy i32) (param $dx i32)
    (param $B i32) (param $H i32) (param $W i32) (param $oH i32) (param $oW i32) (param $C i32)
    (local $b i32) (local $oh i32) (local $ow i32) (local $c i32) (local $cBytes i32) (local $row i32)
    (local $p i32) (local $o i32) (local $base i32)
    (local $a0 v128) (local $a1 v128) (local $a2 v128) (local $a3 v128) (local $m v128) (local $d v128)
    (local $g1 v128) (local $g2 v128) (local $g3 v128) (local $w0 v128) (local $ninf v128)
    (local.set $ninf (v128.const f32x4 -inf -inf -inf -inf))
    (local.set $cBytes (i32.shl (local.get $C) (i32.const 2)))
    (local.set $row (i32.mul (local.get $W) (local.get $cBytes)))
    (local.set $o (local.get $dy))
    (local.set $b (i32.const 0))
    (loop $lb
      (local.set $oh (i32.const 0))
      (loop $loh
        (local.set $ow (i32.const 0))
        (loop $low
          (local.set $base (i32.add
            (i32.mul (i32.add (i32.mul (local.get $b) (local.get $H)) (i32.shl (local.get $oh) (i32.const 1))) (local.get $row))
            (i32.mul (i32.shl (local.get $ow) (i32.const 1)) (local.get $cBytes))))
          (local.set $c (i32.const 0))
          (loop $lc
            (local.set $p (i32.add (local.get $base) (local.get $c)))
            (local.set $a0 (v128.load (i32.add (local.get $x) (local.get $p))))
            (local.set $a1 (v128.load (i32.add (local.get $x) (i32.add (local.get $p) (local.get $cBytes)))))
            (local.set $a2 (v128.load (i32.add (local.get $x) (i32.add (local.get $p) (local.get $row)))))
            (local.set $a3 (v128.load (i32.add (local.get $x) (i32.add (i32.add (local.get $p) (local.get $row)) (local.get $cBytes)))))
            (local.set $a0 (v128.bitselect (local.get $a0) (local.get $ninf) (f32x4.eq (local.get $a0) (local.get $a0))))
            (local.set $a1 (v128.bitselect (local.get $a1) (local.get $ninf) (f32x4.eq (local.get $a1) (local.get $a1))))
            (local.set $a2 (v128.bitselect (local.get $a2) (local.get $ninf) (f32x4.eq (local.get $a2) (local.get $a2))))
            (local.set $a3 (v128.bitselect (local.get $a3) (local.get $ninf) (f32x4.eq (local.get $a3) (local.get $a3))))
            (local.set $w0 (f32x4.gt (local.get $a0) (local.get $ninf)))
            (local.set $g1 (f32x4.gt (local.get $a1) (local.get $a0)))
            (local.set $m (f32x4.max (local.get $a0) (local.get $a1)))
            (local.set $g2 (f32x4.gt (local.get $a2) (local.get $m)))
            (local.set $m (f32x4.max (local.get $m) (local.get $a2)))
            (local.set $g3 (f32x4.gt (local.get $a3) (local.get $m)))
            (local.set $d (v128.load (local.get $o)))
            ;; later winners override earlier ones
            (local.set $g2 (v128.andnot (local.get $g2) (local.get $g3)))
            (local.set $g1 (v128.andnot (v128.andnot (local.get $g1) (local.get $g3)) (local.get $g2)))
            (local.set $w0 (v128.andnot (v128.andnot (v128.andnot (local.get $w0) (local.get $g3)) (local.get $g2)) (local.get $g1)))
            (v128.store (i32.add (local.get $dx) (local.get $p)) (v128.and (local.get $d) (local.get $w0)))
            (v128.store (i32.add (local.get $dx) (i32.add (local.get $p) (local.get $cBytes))) (v128.and (local.get $d) (local.get $g1)))
            (v128.store (i32.add (local.get $dx) (i32.add (local.get $p) (local.get $row))) (v128.and (local.get $d) (local.get $g2)))
            (v128.store (i32.add (local.get $dx) (i32.add (i32.add (local.get $p) (local.get $row)) (local.get $cBytes))) (v128.and (local.get $d) (local.get $g3)))
            (local.set $o (i32.add (local.get $o) (i32.const 16)))
            (local.set $c (i32.add (local.get $c) (i32.const 16)))
            (br_if $lc (i32.lt_u (local.get $c) (local.get $cBytes))))
          (local.set $ow (i32.add (local.get $ow) (i32.const 1)))
          (br_if $low (i32.lt_u (local.get $ow) (local.get $oW))))
        (local.set $oh (i32.add (local.get $oh) (i32.const 1)))
        (br_if $loh (i32.lt_u (local.get $oh) (local.get $oH))))
      (local.set $b (i32.add (local.get $b) (i32.const 1)))
      (br_if $lb (i32.lt_u (local.get $b) (local.get $B))))
  )
  ;; Gradients of the ReLU family over the first n floats (n % 4 == 0; the caller does the tail),
  ;; the same float32 operations as TF.js's gradient functions:
  ;;   ReLU:      dx = dy * step(x)              (step: 1 if x > 0, NaN if x is NaN, else 0)
  ;;   LeakyReLU: dx = x > 0 ? dy : dy * alpha
  ;;   PReLU:     dx as LeakyReLU; returns sum of (x > 0 ? 0 : dy * x) (shared alpha's gradient)
  (func (export "reluGrad") (param $x i32) (param $dy i32) (param $dx i32) (param $n i32)
    (local $i i32) (local $end i32) (local $xv v128) (local $s v128)
    (local.set $end (i32.shl (local.get $n) (i32.const 2)))
    (block $done (loop $l
      (br_if $done (i32.ge_u (local.get $i) (local.get $end)))
      (local.set $xv (v128.load (i32.add (local.get $x) (local.get $i))))
      (local.set $s (v128.bitselect (v128.const f32x4 1 1 1 1) (v128.const f32x4 0 0 0 0)
        (f32x4.gt (local.get $xv) (v128.const f32x4 0 0 0 0))))
      (local.set $s (v128.bitselect (local.get $xv) (local.get $s) (f32x4.ne (local.get $xv) (local.get $xv))))
      (v128.store (i32.add (local.get $dx) (local.get $i))
        (f32x4.mul (v128.load (i32.add (local.get $dy) (local.get $i))) (local.get $s)))
      (local.set $i (i32.add (local.get $i) (i32.const 16)))
      (br $l)))
  )

  (func (export "leakyReluGrad") (param $x i32) (param $dy i32) (param $dx i32) (param $n i32) (param $alpha f32)
    (local $i i32) (local $end i32) (local $d v128) (local $A v128)
    (local.set $A (f32x4.splat (local.get $alpha)))
    (local.set $end (i32.shl (local.get $n) (i32.const 2)))
    (block $done (loop $l
      (br_if $done (i32.ge_u (local.get $i) (local.get $end)))
      (local.set $d (v128.load (i32.add (local.get $dy) (local.get $i))))
      (v128.store (i32.add (local.get $dx) (local.get $i))
        (v128.bitselect (local.get $d) (f32x4.mul (local.get $d) (local.get $A))
          (f32x4.gt (v128.load (i32.add (local.get $x) (local.get $i))) (v128.const f32x4 0 0 0 0))))
      (local.set $i (i32.add (local.get $i) (i32.const 16)))
      (br $l)))
  )

  (func (export "preluGrad") (param $x i32) (param $dy i32) (param $dx i32) (param $n i32) (param $alpha f32) (result f32)
    (local $i i32) (local $end i32) (local $d v128) (local $xv v128) (local $pos v128) (local $A v128) (local $acc v128)
    (local.set $A (f32x4.splat (local.get $alpha)))
    (local.set $end (i32.shl (local.get $n) (i32.const 2)))
    (block $done (loop $l
      (br_if $done (i32.ge_u (local.get $i) (local.get $end)))
      (local.set $d (v128.load (i32.add (local.get $dy) (local.get $i))))
      (local.set $xv (v128.load (i32.add (local.get $x) (local.get $i))))
      (local.set $pos (f32x4.gt (local.get $xv) (v128.const f32x4 0 0 0 0)))
      (v128.store (i32.add (local.get $dx) (local.get $i))
        (v128.bitselect (local.get $d) (f32x4.mul (local.get $d) (local.get $A)) (local.get $pos)))
      (local.set $acc (f32x4.add (local.get $acc)
        (v128.andnot (f32x4.mul (local.get $d) (local.get $xv)) (local.get $pos))))
      (local.set $i (i32.add (local.get $i) (i32.const 16)))
      (br $l)))
    (f32.add (f32.add (f32x4.extract_lane 0 (local.get $acc)) (f32x4.extract_lane 1 (local.get $acc)))
             (f32.add (f32x4.extract_lane 2 (local.get $acc)) (f32x4.extract_lane 3 (local.get $acc))))
  )

  ;; Column sums of a row-major [rows, cols] float32 matrix (cols % 4 == 0) into out, accumulated in
  ;; float64 in columnSumInto's order (src/backend/wasm-kernels/reduce.ts), so the same bits: four rows
  ;; at a time, acc += (x0 + x1) + (x2 + x3), then the rows left one by one, then out = float32(acc).
  ;; $acc is scratch for cols float64s.
  (func (export "columnSum") (param $x i32) (param $rows i32) (param $cols i32) (param $acc i32) (param $out i32)
    (local $r i32) (local $c i32) (local $a i32) (local $rowBytes i32) (local $p0 i32) (local $p1 i32) (local $p2 i32) (local $p3 i32)
    (local $v0 v128) (local $v1 v128) (local $v2 v128) (local $v3 v128)
    (local.set $rowBytes (i32.shl (local.get $cols) (i32.const 2)))
    (block $zeroed (loop $zero
      (br_if $zeroed (i32.ge_u (local.get $c) (i32.shl (local.get $rowBytes) (i32.const 1))))
      (v128.store (i32.add (local.get $acc) (local.get $c)) (v128.const i64x2 0 0))
      (local.set $c (i32.add (local.get $c) (i32.const 16)))
      (br $zero)))
    (local.set $p0 (local.get $x))
    (block $fours_done (loop $fours
      (br_if $fours_done (i32.gt_u (i32.add (local.get $r) (i32.const 4)) (local.get $rows)))
      (local.set $p1 (i32.add (local.get $p0) (local.get $rowBytes)))
      (local.set $p2 (i32.add (local.get $p1) (local.get $rowBytes)))
      (local.set $p3 (i32.add (local.get $p2) (local.get $rowBytes)))
      (local.set $c (i32.const 0))
      (local.set $a (local.get $acc))
      (block $row_done (loop $row
        (br_if $row_done (i32.ge_u (local.get $c) (local.get $rowBytes)))
        (local.set $v0 (v128.load (i32.add (local.get $p0) (local.get $c))))
        (local.set $v1 (v128.load (i32.add (local.get $p1) (local.get $c))))
        (local.set $v2 (v128.load (i32.add (local.get $p2) (local.get $c))))
        (local.set $v3 (v128.load (i32.add (local.get $p3) (local.get $c))))
        (v128.store (local.get $a) (f64x2.add (v128.load (local.get $a))
          (f64x2.add
            (f64x2.add (f64x2.promote_low_f32x4 (local.get $v0)) (f64x2.promote_low_f32x4 (local.get $v1)))
            (f64x2.add (f64x2.promote_low_f32x4 (local.get $v2)) (f64x2.promote_low_f32x4 (local.get $v3))))))
        ;; lanes 2 and 3 moved to 0 and 1
        (local.set $v0 (i8x16.shuffle 8 9 10 11 12 13 14 15 8 9 10 11 12 13 14 15 (local.get $v0) (local.get $v0)))
        (local.set $v1 (i8x16.shuffle 8 9 10 11 12 13 14 15 8 9 10 11 12 13 14 15 (local.get $v1) (local.get $v1)))
        (local.set $v2 (i8x16.shuffle 8 9 10 11 12 13 14 15 8 9 10 11 12 13 14 15 (local.get $v2) (local.get $v2)))
        (local.set $v3 (i8x16.shuffle 8 9 10 11 12 13 14 15 8 9 10 11 12 13 14 15 (local.get $v3) (local.get $v3)))
        (v128.store offset=16 (local.get $a) (f64x2.add (v128.load offset=16 (local.get $a))
          (f64x2.add
            (f64x2.add (f64x2.promote_low_f32x4 (local.get $v0)) (f64x2.promote_low_f32x4 (local.get $v1)))
            (f64x2.add (f64x2.promote_low_f32x4 (local.get $v2)) (f64x2.promote_low_f32x4 (local.get $v3))))))
        (local.set $c (i32.add (local.get $c) (i32.const 16)))
        (local.set $a (i32.add (local.get $a) (i32.const 32)))
        (br $row)))
      (local.set $r (i32.add (local.get $r) (i32.const 4)))
      (local.set $p0 (i32.add (local.get $p3) (local.get $rowBytes)))
      (br $fours)))
    (block $ones_done (loop $ones
      (br_if $ones_done (i32.ge_u (local.get $r) (local.get $rows)))
      (local.set $c (i32.const 0))
      (local.set $a (local.get $acc))
      (block $one_done (loop $one
        (br_if $one_done (i32.ge_u (local.get $c) (local.get $rowBytes)))
        (local.set $v0 (v128.load (i32.add (local.get $p0) (local.get $c))))
        (v128.store (local.get $a) (f64x2.add (v128.load (local.get $a)) (f64x2.promote_low_f32x4 (local.get $v0))))
        (v128.store offset=16 (local.get $a) (f64x2.add (v128.load offset=16 (local.get $a))
          (f64x2.promote_low_f32x4 (i8x16.shuffle 8 9 10 11 12 13 14 15 8 9 10 11 12 13 14 15 (local.get $v0) (local.get $v0)))))
        (local.set $c (i32.add (local.get $c) (i32.const 16)))
        (local.set $a (i32.add (local.get $a) (i32.const 32)))
        (br $one)))
      (local.set $r (i32.add (local.get $r) (i32.const 1)))
      (local.set $p0 (i32.add (local.get $p0) (local.get $rowBytes)))
      (br $ones)))
    (local.set $c (i32.const 0))
    (local.set $a (local.get $acc))
    (block $out_done (loop $outs
      (br_if $out_done (i32.ge_u (local.get $c) (local.get $rowBytes)))
      (v128.store (i32.add (local.get $out) (local.get $c))
        (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23
          (f32x4.demote_f64x2_zero (v128.load (local.get $a)))
          (f32x4.demote_f64x2_zero (v128.load offset=16 (local.get $a)))))
      (local.set $c (i32.add (local.get $c) (i32.const 16)))
      (local.set $a (i32.add (local.get $a) (i32.const 32)))
      (br $outs)))
  )
  ;; N-ReLU's training output when the normals were drawn ahead (src/activations/noise-kernels.ts):
  ;; y holds the pass's N(0, 1) values on entry and leaves with x where x > 0, else y * sigma (NaN
  ;; and -0 take the noise, as where(x > 0, x, noise) does).
  (func (export "noisyReluAhead") (param $x i32) (param $y i32) (param $n i32) (param $sigma f32)
    (local $i i32) (local $end i32) (local $xv v128) (local $S v128)
    (local.set $S (f32x4.splat (local.get $sigma)))
    (local.set $end (i32.shl (local.get $n) (i32.const 2)))
    (block $done (loop $l
      (br_if $done (i32.ge_u (local.get $i) (local.get $end)))
      (local.set $xv (v128.load (i32.add (local.get $x) (local.get $i))))
      (v128.store (i32.add (local.get $y) (local.get $i))
        (v128.bitselect (local.get $xv)
          (f32x4.mul (v128.load (i32.add (local.get $y) (local.get $i))) (local.get $S))
          (f32x4.gt (local.get $xv) (v128.const f32x4 0 0 0 0))))
      (local.set $i (i32.add (local.get $i) (i32.const 16)))
      (br $l)))
  )
  ;; GELU's exact form over n floats: out = x Phi(x), and where $withGrad is set also
  ;; g = Phi(x) + x phi(x) (phi = Phi'), the derivative the backward pass multiplies dy by.
  ;; Phi(x) = 1 - erfc(a)/2 for x > 0, erfc(a)/2 otherwise (a = |x|/sqrt 2, so no cancellation for
  ;; negative x), with Abramowitz and Stegun 7.1.26:
  ;;   erfc(a) ~ t (A1 + t (A2 + t (A3 + t (A4 + t A5)))) e,  t = 1/(1 + P a),  e = exp(-a^2),
  ;; |error| <= 1.5e-7 (TF.js's cpu backend uses the same formula for erf); the A's are halved here,
  ;; which gives erfc(a)/2 exactly. phi(x) = e / sqrt(2 pi) reuses e. exp(w), w = -min(a^2, 80)
  ;; (80 keeps 2^k a normal float): w = k ln2 + r with k = w log2 e rounded to an integer,
  ;; r = (w - k LN2HI) - k LN2LO (LN2HI has 9 bits, so k LN2HI is exact), exp(r) by its Taylor
  ;; polynomial of degree 7 (|r| <= ln2/2: error 5e-9), times 2^k built in the exponent bits.
  ;; src/activations/gelu-kernels.ts does the same float32 operations in JavaScript.
  (func (export "gelu") (param $x i32) (param $out i32) (param $g i32) (param $n i32) (param $withGrad i32)
    (local $i i32) (local $end i32) (local $xv v128) (local $a v128) (local $t v128) (local $w v128)
    (local $k v128) (local $kb v128) (local $r v128) (local $p v128) (local $e v128) (local $q v128) (local $phi v128)
    ;; The constants live in locals: V8 would rebuild a v128.const at each use in the loop.
    (local $SQRT1_2 v128) (local $ONE v128) (local $P v128) (local $CAP v128) (local $LOG2E v128) (local $ROUNDER v128) (local $LN2HI v128) (local $LN2LO v128) (local $E7 v128) (local $E6 v128) (local $E5 v128) (local $E4 v128) (local $E3 v128) (local $HALF v128) (local $BIAS v128) (local $A5 v128) (local $A4 v128) (local $A3 v128) (local $A2 v128) (local $A1 v128) (local $ZERO v128) (local $INV_SQRT_2PI v128)
    (local.set $SQRT1_2 (f32x4.splat (f32.const 0.707106769)))
    (local.set $ONE (f32x4.splat (f32.const 1)))
    (local.set $P (f32x4.splat (f32.const 0.327591091)))
    (local.set $CAP (f32x4.splat (f32.const 80)))
    (local.set $LOG2E (f32x4.splat (f32.const 1.44269502)))
    (local.set $ROUNDER (f32x4.splat (f32.const 12582912)))
    (local.set $LN2HI (f32x4.splat (f32.const 0.693359375)))
    (local.set $LN2LO (f32x4.splat (f32.const -0.000212194442)))
    (local.set $E7 (f32x4.splat (f32.const 0.000198412701)))
    (local.set $E6 (f32x4.splat (f32.const 0.00138888892)))
    (local.set $E5 (f32x4.splat (f32.const 0.00833333377)))
    (local.set $E4 (f32x4.splat (f32.const 0.0416666679)))
    (local.set $E3 (f32x4.splat (f32.const 0.166666672)))
    (local.set $HALF (f32x4.splat (f32.const 0.5)))
    (local.set $BIAS (i32x4.splat (i32.const 127)))
    (local.set $A5 (f32x4.splat (f32.const 0.530702710)))
    (local.set $A4 (f32x4.splat (f32.const -0.726576030)))
    (local.set $A3 (f32x4.splat (f32.const 0.710706890)))
    (local.set $A2 (f32x4.splat (f32.const -0.142248362)))
    (local.set $A1 (f32x4.splat (f32.const 0.127414793)))
    (local.set $ZERO (f32x4.splat (f32.const 0)))
    (local.set $INV_SQRT_2PI (f32x4.splat (f32.const 0.398942292)))
    (local.set $end (i32.shl (local.get $n) (i32.const 2)))
    (block $done (loop $l
      (br_if $done (i32.ge_u (local.get $i) (local.get $end)))
      (local.set $xv (v128.load (i32.add (local.get $x) (local.get $i))))
      (local.set $a (f32x4.mul (f32x4.abs (local.get $xv)) (local.get $SQRT1_2)))
      (local.set $t (f32x4.div (local.get $ONE)
        (f32x4.add (local.get $ONE) (f32x4.mul (local.get $a) (local.get $P)))))
      (local.set $w (f32x4.neg (f32x4.pmin (f32x4.mul (local.get $a) (local.get $a)) (local.get $CAP))))
      ;; kb = w log2e + 1.5 2^23 rounds w log2e to the nearest integer, half to even, and holds it in
      ;; its low mantissa bits: k = kb - 1.5 2^23, and (bits(kb) + 127) << 23 is 2^k (k in [-116, 0]).
      (local.set $kb (f32x4.add (f32x4.mul (local.get $w) (local.get $LOG2E))
        (local.get $ROUNDER)))
      (local.set $k (f32x4.sub (local.get $kb) (local.get $ROUNDER)))
      (local.set $r (f32x4.sub
        (f32x4.sub (local.get $w) (f32x4.mul (local.get $k) (local.get $LN2HI)))
        (f32x4.mul (local.get $k) (local.get $LN2LO))))
      (local.set $p (f32x4.add (f32x4.mul (local.get $r) (local.get $E7))
        (local.get $E6)))
      (local.set $p (f32x4.add (f32x4.mul (local.get $p) (local.get $r)) (local.get $E5)))
      (local.set $p (f32x4.add (f32x4.mul (local.get $p) (local.get $r)) (local.get $E4)))
      (local.set $p (f32x4.add (f32x4.mul (local.get $p) (local.get $r)) (local.get $E3)))
      (local.set $p (f32x4.add (f32x4.mul (local.get $p) (local.get $r)) (local.get $HALF)))
      (local.set $p (f32x4.add (f32x4.mul (local.get $p) (local.get $r)) (local.get $ONE)))
      (local.set $p (f32x4.add (f32x4.mul (local.get $p) (local.get $r)) (local.get $ONE)))
      (local.set $e (f32x4.mul (local.get $p)
        (i32x4.shl (i32x4.add (local.get $kb) (local.get $BIAS)) (i32.const 23))))
      (local.set $q (f32x4.add (f32x4.mul (local.get $t) (local.get $A5))
        (local.get $A4)))
      (local.set $q (f32x4.add (f32x4.mul (local.get $q) (local.get $t)) (local.get $A3)))
      (local.set $q (f32x4.add (f32x4.mul (local.get $q) (local.get $t)) (local.get $A2)))
      (local.set $q (f32x4.add (f32x4.mul (local.get $q) (local.get $t)) (local.get $A1)))
      ;; q = erfc(a) / 2
      (local.set $q (f32x4.mul (f32x4.mul (local.get $q) (local.get $t)) (local.get $e)))
      (local.set $phi (v128.bitselect
        (f32x4.sub (local.get $ONE) (local.get $q)) (local.get $q)
        (f32x4.gt (local.get $xv) (local.get $ZERO))))
      (v128.store (i32.add (local.get $out) (local.get $i)) (f32x4.mul (local.get $xv) (local.get $phi)))
      (if (local.get $withGrad)
        (then (v128.store (i32.add (local.get $g) (local.get $i))
          (f32x4.add (local.get $phi) (f32x4.mul (local.get $xv) (f32x4.mul (local.get $e) (local.get $INV_SQRT_2PI)))))))
      (local.set $i (i32.add (local.get $i) (i32.const 16)))
      (br $l)))
  )
)
