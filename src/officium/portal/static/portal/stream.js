/* Officium portal: the vault's streaming AEAD format in WebCrypto, a resumable SHA-256, and
   the chunked transfer helpers. Format (see privacy/vault/stream.py): an 80-byte header
   (magic "OFSA", version 1, record size, 32-byte salt, 7-byte nonce prefix, key commitment),
   then AES-256-GCM records of `recordSize` plaintext bytes; the final record is always
   shorter. Keys: HKDF-SHA256(key, salt, "officium/stream/v1" + header[0:48]) -> 96 bytes. */
(function (global) {
  "use strict";
  var HEADER_SIZE = 80, TAG = 16, RECORD_SIZE = 65536;
  var utf8 = new TextEncoder();

  function concat(parts) {
    var n = 0, i, out, pos = 0;
    for (i = 0; i < parts.length; i++) n += parts[i].length;
    out = new Uint8Array(n);
    for (i = 0; i < parts.length; i++) { out.set(parts[i], pos); pos += parts[i].length; }
    return out;
  }

  function packParts() {
    var parts = [];
    for (var i = 0; i < arguments.length; i++) {
      var raw = typeof arguments[i] === "string" ? utf8.encode(arguments[i]) : arguments[i];
      var len = new Uint8Array(4);
      new DataView(len.buffer).setUint32(0, raw.length);
      parts.push(len, raw);
    }
    return concat(parts);
  }

  async function deriveKeys(rawKey, params) {
    var ikm = await crypto.subtle.importKey("raw", rawKey, "HKDF", false, ["deriveBits"]);
    var bits = new Uint8Array(await crypto.subtle.deriveBits(
      {name: "HKDF", hash: "SHA-256", salt: params.slice(9, 41),
       info: concat([utf8.encode("officium/stream/v1"), params])}, ikm, 96 * 8));
    var aes = await crypto.subtle.importKey("raw", bits.slice(0, 32), "AES-GCM", false,
                                            ["encrypt", "decrypt"]);
    return {aes: aes, commitment: bits.slice(32, 64)};
  }

  function nonce(prefix, index, last) {
    var n = new Uint8Array(12);
    n.set(prefix, 0);
    new DataView(n.buffer).setUint32(7, index);
    n[11] = last ? 1 : 0;
    return n;
  }

  async function createEncryptor(rawKey, aad, recordSize) {
    recordSize = recordSize || RECORD_SIZE;
    var params = new Uint8Array(48), view = new DataView(params.buffer);
    params.set([0x4f, 0x46, 0x53, 0x41], 0);
    params[4] = 1;
    view.setUint32(5, recordSize);
    params.set(crypto.getRandomValues(new Uint8Array(32)), 9);
    params.set(crypto.getRandomValues(new Uint8Array(7)), 41);
    var keys = await deriveKeys(rawKey, params), index = 0, prefix = params.slice(41, 48);
    return {
      recordSize: recordSize,
      header: concat([params, keys.commitment]),
      seal: async function (plain, last) {
        var sealed = await crypto.subtle.encrypt(
          {name: "AES-GCM", iv: nonce(prefix, index, last), additionalData: aad}, keys.aes, plain);
        index += 1;
        return new Uint8Array(sealed);
      }
    };
  }

  async function openDecryptor(rawKey, aad, header) {
    var magic = String.fromCharCode.apply(null, header.slice(0, 4));
    if (header.length < HEADER_SIZE || magic !== "OFSA" || header[4] !== 1) {
      throw new Error("This is not an Officium encrypted file.");
    }
    var params = header.slice(0, 48), recordSize = new DataView(params.buffer).getUint32(5);
    var keys = await deriveKeys(rawKey, params), stored = header.slice(48, 80), same = 0;
    for (var i = 0; i < 32; i++) same |= stored[i] ^ keys.commitment[i];
    if (same !== 0) throw new Error("Wrong key: the link is incomplete or altered.");
    var prefix = params.slice(41, 48);
    return {
      recordSize: recordSize,
      open: async function (index, record, last) {
        var plain = await crypto.subtle.decrypt(
          {name: "AES-GCM", iv: nonce(prefix, index, last), additionalData: aad}, keys.aes, record);
        return new Uint8Array(plain);
      }
    };
  }

  /* SHA-256 (FIPS 180-4), incremental, so a file of any size is hashed as it is read. */
  var K = new Uint32Array([
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2]);

  function Sha256() {
    this.h = new Uint32Array([0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
                              0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19]);
    this.block = new Uint8Array(64); this.used = 0; this.length = 0; this.w = new Uint32Array(64);
  }
  Sha256.prototype.compress = function (bytes, pos) {
    var w = this.w, h = this.h, i, a, b, c, d, e, f, g, hh, t1, t2, x, y;
    for (i = 0; i < 16; i++) {
      w[i] = (bytes[pos + 4 * i] << 24) | (bytes[pos + 4 * i + 1] << 16) |
             (bytes[pos + 4 * i + 2] << 8) | bytes[pos + 4 * i + 3];
    }
    for (i = 16; i < 64; i++) {
      x = w[i - 15]; y = w[i - 2];
      w[i] = (((x >>> 7) | (x << 25)) ^ ((x >>> 18) | (x << 14)) ^ (x >>> 3)) +
             (((y >>> 17) | (y << 15)) ^ ((y >>> 19) | (y << 13)) ^ (y >>> 10)) + w[i - 7] + w[i - 16];
    }
    a = h[0]; b = h[1]; c = h[2]; d = h[3]; e = h[4]; f = h[5]; g = h[6]; hh = h[7];
    for (i = 0; i < 64; i++) {
      t1 = hh + (((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7))) +
           ((e & f) ^ (~e & g)) + K[i] + w[i] | 0;
      t2 = (((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10))) +
           ((a & b) ^ (a & c) ^ (b & c)) | 0;
      hh = g; g = f; f = e; e = d + t1 | 0; d = c; c = b; b = a; a = t1 + t2 | 0;
    }
    h[0] += a; h[1] += b; h[2] += c; h[3] += d; h[4] += e; h[5] += f; h[6] += g; h[7] += hh;
  };
  Sha256.prototype.update = function (data) {
    var pos = 0, n = data.length;
    this.length += n;
    if (this.used) {
      var take = Math.min(64 - this.used, n);
      this.block.set(data.subarray(0, take), this.used);
      this.used += take; pos = take;
      if (this.used < 64) return;
      this.compress(this.block, 0); this.used = 0;
    }
    for (; pos + 64 <= n; pos += 64) this.compress(data, pos);
    if (pos < n) { this.block.set(data.subarray(pos), 0); this.used = n - pos; }
  };
  Sha256.prototype.hex = function () {
    var bits = this.length * 8, pad = new Uint8Array((this.used < 56 ? 56 : 120) - this.used + 8);
    pad[0] = 0x80;
    var view = new DataView(pad.buffer);
    view.setUint32(pad.length - 8, Math.floor(bits / 4294967296));
    view.setUint32(pad.length - 4, bits >>> 0);
    this.update(pad);
    var out = "";
    for (var i = 0; i < 8; i++) out += ("00000000" + this.h[i].toString(16)).slice(-8);
    return out;
  };

  async function sha256OfBlob(blob, onProgress) {
    var hash = new Sha256(), step = 4 * 1024 * 1024;
    for (var pos = 0; pos < blob.size; pos += step) {
      hash.update(new Uint8Array(await blob.slice(pos, pos + step).arrayBuffer()));
      if (onProgress) onProgress(Math.min(pos + step, blob.size));
    }
    return hash.hex();
  }

  function csrfToken(root) {
    var input = root.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  function b64url(bytes) {
    var s = "";
    for (var i = 0; i < bytes.length; i++) s += String.fromCharCode(bytes[i]);
    return btoa(s).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  }

  function fromB64url(text) {
    var s = atob(text.replace(/-/g, "+").replace(/_/g, "/") + "===".slice((text.length + 3) % 4));
    var out = new Uint8Array(s.length);
    for (var i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
    return out;
  }

  global.OfficiumStream = {
    HEADER_SIZE: HEADER_SIZE, TAG: TAG, RECORD_SIZE: RECORD_SIZE, concat: concat,
    packParts: packParts, createEncryptor: createEncryptor, openDecryptor: openDecryptor,
    Sha256: Sha256, sha256OfBlob: sha256OfBlob, csrfToken: csrfToken, b64url: b64url,
    fromB64url: fromB64url
  };
})(window);
