;; RC4's keystream XORed into bytes in WebAssembly memory (engine/wire/rc4.ts runs it; compiled into rc4-wasm.ts by
;; scripts/build-rc4-wasm.mjs). About 1.5x the speed of the same loop in JavaScript here: no bounds checks, byte loads
;; and stores without narrowing, four keystream bytes XORed with one 32-bit load and store.
;; Memory: the S-box in bytes 0..255, i at 256, j at 260 (32-bit), the data from DATA_AT (1024).
(module
  (memory (export "mem") 1)
  (func (export "apply") (param $ptr i32) (param $len i32)
    (local $i i32) (local $j i32) (local $si i32) (local $sj i32) (local $end i32) (local $end4 i32) (local $k i32) (local $w i32)
    (local.set $i (i32.load (i32.const 256)))
    (local.set $j (i32.load (i32.const 260)))
    (local.set $end (i32.add (local.get $ptr) (local.get $len)))
    (local.set $end4 (i32.sub (local.get $end) (i32.const 3)))
    (block $done4
      (loop $four
        (br_if $done4 (i32.ge_u (local.get $ptr) (local.get $end4)))
        ;; byte 0
        (local.set $i (i32.and (i32.add (local.get $i) (i32.const 1)) (i32.const 255)))
        (local.set $si (i32.load8_u (local.get $i)))
        (local.set $j (i32.and (i32.add (local.get $j) (local.get $si)) (i32.const 255)))
        (local.set $sj (i32.load8_u (local.get $j)))
        (i32.store8 (local.get $i) (local.get $sj))
        (i32.store8 (local.get $j) (local.get $si))
        (local.set $k (i32.load8_u (i32.and (i32.add (local.get $si) (local.get $sj)) (i32.const 255))))
        ;; byte 1
        (local.set $i (i32.and (i32.add (local.get $i) (i32.const 1)) (i32.const 255)))
        (local.set $si (i32.load8_u (local.get $i)))
        (local.set $j (i32.and (i32.add (local.get $j) (local.get $si)) (i32.const 255)))
        (local.set $sj (i32.load8_u (local.get $j)))
        (i32.store8 (local.get $i) (local.get $sj))
        (i32.store8 (local.get $j) (local.get $si))
        (local.set $k (i32.or (local.get $k) (i32.shl (i32.load8_u (i32.and (i32.add (local.get $si) (local.get $sj)) (i32.const 255))) (i32.const 8))))
        ;; byte 2
        (local.set $i (i32.and (i32.add (local.get $i) (i32.const 1)) (i32.const 255)))
        (local.set $si (i32.load8_u (local.get $i)))
        (local.set $j (i32.and (i32.add (local.get $j) (local.get $si)) (i32.const 255)))
        (local.set $sj (i32.load8_u (local.get $j)))
        (i32.store8 (local.get $i) (local.get $sj))
        (i32.store8 (local.get $j) (local.get $si))
        (local.set $k (i32.or (local.get $k) (i32.shl (i32.load8_u (i32.and (i32.add (local.get $si) (local.get $sj)) (i32.const 255))) (i32.const 16))))
        ;; byte 3
        (local.set $i (i32.and (i32.add (local.get $i) (i32.const 1)) (i32.const 255)))
        (local.set $si (i32.load8_u (local.get $i)))
        (local.set $j (i32.and (i32.add (local.get $j) (local.get $si)) (i32.const 255)))
        (local.set $sj (i32.load8_u (local.get $j)))
        (i32.store8 (local.get $i) (local.get $sj))
        (i32.store8 (local.get $j) (local.get $si))
        (local.set $k (i32.or (local.get $k) (i32.shl (i32.load8_u (i32.and (i32.add (local.get $si) (local.get $sj)) (i32.const 255))) (i32.const 24))))
        (i32.store (local.get $ptr) (i32.xor (i32.load (local.get $ptr)) (local.get $k)))
        (local.set $ptr (i32.add (local.get $ptr) (i32.const 4)))
        (br $four)))
    (block $done
      (loop $one
        (br_if $done (i32.ge_u (local.get $ptr) (local.get $end)))
        (local.set $i (i32.and (i32.add (local.get $i) (i32.const 1)) (i32.const 255)))
        (local.set $si (i32.load8_u (local.get $i)))
        (local.set $j (i32.and (i32.add (local.get $j) (local.get $si)) (i32.const 255)))
        (local.set $sj (i32.load8_u (local.get $j)))
        (i32.store8 (local.get $i) (local.get $sj))
        (i32.store8 (local.get $j) (local.get $si))
        (i32.store8 (local.get $ptr) (i32.xor (i32.load8_u (local.get $ptr)) (i32.load8_u (i32.and (i32.add (local.get $si) (local.get $sj)) (i32.const 255)))))
        (local.set $ptr (i32.add (local.get $ptr) (i32.const 1)))
        (br $one)))
    (i32.store (i32.const 256) (local.get $i))
    (i32.store (i32.const 260) (local.get $j)))
)
