//! The ciphers a few protocols scramble their packets with: AES-128 in ECB mode with PKCS#7
//! padding (Fluffer, VibCrafter) and SHA-256 (VibCrafter's handshake). Written here rather than
//! pulled in, as the packets are short and the devices' keys are public: this is obfuscation,
//! not security. Checked against the standards' own examples in the protocol tests.

/// AES works on blocks of this many bytes.
const BLOCK: usize = 16;
/// AES-128 has ten rounds, so eleven round keys.
const ROUNDS: usize = 10;

/// Multiplication in AES's field, GF(2⁸) modulo x⁸ + x⁴ + x³ + x + 1.
const fn field_mul(mut a: u8, mut b: u8) -> u8 {
    let mut product = 0;
    while b != 0 {
        if b & 1 != 0 {
            product ^= a;
        }
        let carry = a & 0x80 != 0;
        a <<= 1;
        if carry {
            a ^= 0x1b;
        }
        b >>= 1;
    }
    product
}

/// The substitution box: each byte's field inverse (0 for 0), then AES's affine map.
const fn substitution_box() -> [u8; 256] {
    let mut table = [0; 256];
    let mut i = 0;
    while i < 256 {
        let x = i as u8;
        // x²⁵⁴ is x's inverse in GF(2⁸), and 0 for 0.
        let mut inverse = 1;
        let mut power = 0;
        while power < 254 {
            inverse = field_mul(inverse, x);
            power += 1;
        }
        table[i] = inverse
            ^ inverse.rotate_left(1)
            ^ inverse.rotate_left(2)
            ^ inverse.rotate_left(3)
            ^ inverse.rotate_left(4)
            ^ 0x63;
        i += 1;
    }
    table
}

const fn inverse_box(forward: &[u8; 256]) -> [u8; 256] {
    let mut table = [0; 256];
    let mut i = 0;
    while i < 256 {
        table[forward[i] as usize] = i as u8;
        i += 1;
    }
    table
}

const SBOX: [u8; 256] = substitution_box();
const INVERSE_SBOX: [u8; 256] = inverse_box(&SBOX);

/// An AES-128 key, expanded into its round keys.
pub(crate) struct Aes128 {
    round_keys: [[u8; BLOCK]; ROUNDS + 1],
}

impl Aes128 {
    pub(crate) fn new(key: &[u8; BLOCK]) -> Self {
        let mut words = [[0u8; 4]; 4 * (ROUNDS + 1)];
        for (word, chunk) in words.iter_mut().zip(key.chunks_exact(4)) {
            word.copy_from_slice(chunk);
        }
        let mut round_constant = 1u8;
        for i in 4..words.len() {
            let mut word = words[i - 1];
            if i % 4 == 0 {
                word.rotate_left(1);
                word = word.map(|b| SBOX[usize::from(b)]);
                word[0] ^= round_constant;
                round_constant = field_mul(round_constant, 2);
            }
            for (byte, earlier) in word.iter_mut().zip(words[i - 4]) {
                *byte ^= earlier;
            }
            words[i] = word;
        }
        let mut round_keys = [[0u8; BLOCK]; ROUNDS + 1];
        for (round_key, four) in round_keys.iter_mut().zip(words.chunks_exact(4)) {
            for (place, word) in round_key.chunks_exact_mut(4).zip(four) {
                place.copy_from_slice(word);
            }
        }
        Self { round_keys }
    }

    fn add_round_key(&self, state: &mut [u8; BLOCK], round: usize) {
        for (byte, key) in state.iter_mut().zip(self.round_keys[round]) {
            *byte ^= key;
        }
    }

    fn encrypt_block(&self, state: &mut [u8; BLOCK]) {
        self.add_round_key(state, 0);
        for round in 1..=ROUNDS {
            for byte in state.iter_mut() {
                *byte = SBOX[usize::from(*byte)];
            }
            shift_rows(state);
            if round != ROUNDS {
                mix_columns(state, [2, 3, 1, 1]);
            }
            self.add_round_key(state, round);
        }
    }

    fn decrypt_block(&self, state: &mut [u8; BLOCK]) {
        self.add_round_key(state, ROUNDS);
        for round in (0..ROUNDS).rev() {
            unshift_rows(state);
            for byte in state.iter_mut() {
                *byte = INVERSE_SBOX[usize::from(*byte)];
            }
            self.add_round_key(state, round);
            if round != 0 {
                mix_columns(state, [14, 11, 13, 9]);
            }
        }
    }

    /// `data` padded (PKCS#7) and encrypted block by block (ECB).
    pub(crate) fn encrypt(&self, data: &[u8]) -> Vec<u8> {
        let padding = BLOCK - data.len() % BLOCK;
        let mut padded = data.to_vec();
        padded.resize(data.len() + padding, u8::try_from(padding).unwrap_or(0));
        let mut out = Vec::with_capacity(padded.len());
        for chunk in padded.chunks_exact(BLOCK) {
            let mut block = [0u8; BLOCK];
            block.copy_from_slice(chunk);
            self.encrypt_block(&mut block);
            out.extend(block);
        }
        out
    }

    /// What [`Aes128::encrypt`] made `data` from; `None` if it is not such a thing.
    pub(crate) fn decrypt(&self, data: &[u8]) -> Option<Vec<u8>> {
        if data.is_empty() || !data.len().is_multiple_of(BLOCK) {
            return None;
        }
        let mut out = Vec::with_capacity(data.len());
        for chunk in data.chunks_exact(BLOCK) {
            let mut block = [0u8; BLOCK];
            block.copy_from_slice(chunk);
            self.decrypt_block(&mut block);
            out.extend(block);
        }
        let padding = usize::from(*out.last()?);
        let kept = out.len().checked_sub(padding)?;
        let well_padded = (1..=BLOCK).contains(&padding)
            && out[kept..].iter().all(|&b| usize::from(b) == padding);
        well_padded.then(|| {
            out.truncate(kept);
            out
        })
    }
}

/// Row r of the column-major state moves r places left.
fn shift_rows(state: &mut [u8; BLOCK]) {
    let old = *state;
    for row in 0..4 {
        for column in 0..4 {
            state[row + 4 * column] = old[row + 4 * ((column + row) % 4)];
        }
    }
}

fn unshift_rows(state: &mut [u8; BLOCK]) {
    let old = *state;
    for row in 0..4 {
        for column in 0..4 {
            state[row + 4 * ((column + row) % 4)] = old[row + 4 * column];
        }
    }
}

/// Each column times the circulant matrix whose first row is `row` (AES's mixing, or its
/// inverse).
fn mix_columns(state: &mut [u8; BLOCK], row: [u8; 4]) {
    for column in state.chunks_exact_mut(4) {
        let old = [column[0], column[1], column[2], column[3]];
        for (i, byte) in column.iter_mut().enumerate() {
            *byte = (0..4).fold(0, |sum, j| sum ^ field_mul(row[(j + 4 - i) % 4], old[j]));
        }
    }
}

/// SHA-256's round constants.
const SHA256_K: [u32; 64] = [
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
];

/// SHA-256's starting state.
const SHA256_START: [u32; 8] = [
    0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
];

/// The SHA-256 digest of `data`.
pub(crate) fn sha256(data: &[u8]) -> [u8; 32] {
    let mut message = data.to_vec();
    let bit_length = (data.len() as u64).wrapping_mul(8);
    message.push(0x80);
    while message.len() % 64 != 56 {
        message.push(0);
    }
    message.extend(bit_length.to_be_bytes());
    let mut hash = SHA256_START;
    for chunk in message.chunks_exact(64) {
        let mut w = [0u32; 64];
        for (word, bytes) in w.iter_mut().zip(chunk.chunks_exact(4)) {
            *word = u32::from_be_bytes([bytes[0], bytes[1], bytes[2], bytes[3]]);
        }
        for i in 16..64 {
            let s0 = w[i - 15].rotate_right(7) ^ w[i - 15].rotate_right(18) ^ (w[i - 15] >> 3);
            let s1 = w[i - 2].rotate_right(17) ^ w[i - 2].rotate_right(19) ^ (w[i - 2] >> 10);
            w[i] = w[i - 16]
                .wrapping_add(s0)
                .wrapping_add(w[i - 7])
                .wrapping_add(s1);
        }
        let [mut a, mut b, mut c, mut d, mut e, mut f, mut g, mut h] = hash;
        for (k, word) in SHA256_K.iter().zip(w) {
            let s1 = e.rotate_right(6) ^ e.rotate_right(11) ^ e.rotate_right(25);
            let choice = (e & f) ^ (!e & g);
            let t1 = h
                .wrapping_add(s1)
                .wrapping_add(choice)
                .wrapping_add(*k)
                .wrapping_add(word);
            let s0 = a.rotate_right(2) ^ a.rotate_right(13) ^ a.rotate_right(22);
            let majority = (a & b) ^ (a & c) ^ (b & c);
            let t2 = s0.wrapping_add(majority);
            (h, g, f, e, d, c, b, a) = (g, f, e, d.wrapping_add(t1), c, b, a, t1.wrapping_add(t2));
        }
        for (total, part) in hash.iter_mut().zip([a, b, c, d, e, f, g, h]) {
            *total = total.wrapping_add(part);
        }
    }
    let mut digest = [0u8; 32];
    for (bytes, word) in digest.chunks_exact_mut(4).zip(hash) {
        bytes.copy_from_slice(&word.to_be_bytes());
    }
    digest
}
