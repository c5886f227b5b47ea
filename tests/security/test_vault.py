"""Tests for socialhub.security.vault (no database needed)."""

from __future__ import annotations

import base64
import threading
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest

from socialhub.security import vault as vault_mod
from socialhub.security.vault import Vault, VaultError, VaultKeyError, VaultTamperError

OLD_SECRET = "old-secret-0123456789abcdef"
NEW_SECRET = "new-secret-fedcba9876543210"
TOKEN = "ya29.a0AfH6SMBx-sample-oauth-access-token"


def _b64decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _b64encode(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _split(token: str) -> tuple[str, bytes]:
    header, _, encoded = token.rpartition(".")
    return header, _b64decode(encoded)


# Deriving a KEK costs tens of milliseconds, so share vaults wherever a test does not
# need a fresh instance.
@pytest.fixture(scope="module")
def old_vault() -> Vault:
    return Vault({"old": OLD_SECRET}, "old")


@pytest.fixture(scope="module")
def vault() -> Vault:
    return Vault({"new": NEW_SECRET, "old": OLD_SECRET}, "new")


@pytest.fixture
def scrypt_calls(monkeypatch: pytest.MonkeyPatch) -> Iterator[Counter[str]]:
    """Count real scrypt derivations per key id."""
    calls: Counter[str] = Counter()
    real: Callable[..., bytes] = vault_mod._scrypt_kek
    lock = threading.Lock()

    def spy(secret: bytes, key_id: str, n: int, r: int, p: int) -> bytes:
        with lock:
            calls[key_id] += 1
        return real(secret, key_id, n, r, p)

    monkeypatch.setattr(vault_mod, "_scrypt_kek", spy)
    yield calls


class TestRoundTrip:
    @pytest.mark.parametrize(
        "plaintext",
        ["", TOKEN, "emoji 🔐🚀👩‍💻", "中文日本語한국어", "x" * 100_000, "🔑" * 25_000],
        ids=["empty", "token", "emoji", "cjk", "100kB-ascii", "100kB-emoji"],
    )
    def test_decrypt_returns_the_encrypted_plaintext(self, vault: Vault, plaintext: str) -> None:
        assert vault.decrypt(vault.encrypt(plaintext)) == plaintext

    def test_same_plaintext_encrypts_differently_each_time(self, vault: Vault) -> None:
        first, second = vault.encrypt(TOKEN), vault.encrypt(TOKEN)
        assert first != second
        assert _split(first)[1][:28] != _split(second)[1][:28]  # salt and nonce both fresh
        assert vault.decrypt(first) == vault.decrypt(second) == TOKEN

    def test_token_is_ascii_with_versioned_header_and_expected_payload_size(self, vault: Vault) -> None:
        token = vault.encrypt("abc")
        assert token.isascii() and "=" not in token
        header, payload = _split(token)
        assert header == "v1.new"
        assert len(payload) == 16 + 12 + 3 + 16

    def test_token_written_by_v1_still_decrypts(self) -> None:
        # Guards the stored format: changing KDF parameters, info or AAD layout breaks this.
        stored = (
            "v1.kv1.Axc8TyIxr90CAlMQZSwSgOmH26Gp42SLwBzioFtLg_9atBiaraiXeXPhrqTWiQ9f0zZ8xf-h02ulm94WrcoxlbtHTHZZ0kw"
        )
        vault = Vault({"kv1": "known-answer-secret-0001"}, "kv1")
        assert vault.decrypt(stored, aad=b"account:42") == "ya29.known-answer-token ✓"

    def test_non_str_plaintext_is_refused(self, vault: Vault) -> None:
        with pytest.raises(TypeError):
            vault.encrypt(b"bytes")  # type: ignore[arg-type]


class TestTamperDetection:
    def test_flipping_any_bit_of_the_payload_is_detected(self, vault: Vault) -> None:
        token = vault.encrypt("tok")
        header, payload = _split(token)
        assert len(payload) == 16 + 12 + 3 + 16  # salt, nonce, ciphertext, tag all covered
        for position in range(len(payload)):
            for bit in range(8):
                mutated = bytearray(payload)
                mutated[position] ^= 1 << bit
                forged = f"{header}.{_b64encode(bytes(mutated))}"
                with pytest.raises(VaultTamperError):
                    vault.decrypt(forged)

    def test_swapping_header_key_id_to_another_configured_key_is_detected(self, vault: Vault) -> None:
        token = vault.encrypt(TOKEN)
        assert token.startswith("v1.new.")
        with pytest.raises(VaultTamperError):
            vault.decrypt("v1.old." + token.removeprefix("v1.new."))

    @pytest.mark.parametrize("keep", [0, 1, 20, 43, 59, -1, -2, -5])
    def test_truncated_token_is_detected(self, vault: Vault, keep: int) -> None:
        token = vault.encrypt(TOKEN)
        prefix = len("v1.new.")
        truncated = token[: prefix + keep] if keep >= 0 else token[:keep]
        with pytest.raises(VaultTamperError):
            vault.decrypt(truncated)

    @pytest.mark.parametrize(
        "garbage",
        [
            "",
            "not a token",
            "v1",
            "v1.new",
            "v1.new.",
            "v1..AAAA",
            "v1.new.!!!!not-base64!!!!",
            "v1.new.AAAA.AAAA",
            "v1.new." + "A" * 59 + "=",
            "v1.new." + "A" * 61,
            "v1.bad id." + "A" * 60,
            "v1.new.ÄÖÜ" + "A" * 60,
        ],
    )
    def test_garbage_is_rejected_as_tampered(self, vault: Vault, garbage: str) -> None:
        with pytest.raises(VaultTamperError):
            vault.decrypt(garbage)
        with pytest.raises(VaultTamperError):
            vault.key_id_of(garbage)

    @pytest.mark.parametrize(
        "transform",
        [
            lambda t: "v2" + t[2:],
            lambda t: "V1" + t[2:],
            lambda t: "x" + t,
            lambda t: t + "\n",
            lambda t: " " + t,
        ],
        ids=["v2", "uppercase", "prefixed", "trailing-newline", "leading-space"],
    )
    def test_wrong_version_or_framing_is_rejected(self, vault: Vault, transform: Callable[[str], str]) -> None:
        with pytest.raises(VaultTamperError):
            vault.decrypt(transform(vault.encrypt(TOKEN)))

    def test_non_canonical_base64_spelling_is_rejected(self, vault: Vault) -> None:
        token = vault.encrypt("tok")  # 47-byte payload: last char carries 2 unused bits
        alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
        last = alphabet.index(token[-1])
        respelled = token[:-1] + alphabet[last | 0b01]
        assert respelled != token
        assert _split(respelled)[1] == _split(token)[1]  # lenient decoders see the same bytes
        with pytest.raises(VaultTamperError):
            vault.decrypt(respelled)

    def test_non_str_token_is_rejected_as_tampered(self, vault: Vault) -> None:
        with pytest.raises(VaultTamperError):
            vault.decrypt(None)  # type: ignore[arg-type]

    def test_errors_share_one_root(self) -> None:
        assert issubclass(VaultKeyError, VaultError) and issubclass(VaultTamperError, VaultError)


class TestAssociatedData:
    def test_matching_aad_decrypts(self, vault: Vault) -> None:
        token = vault.encrypt(TOKEN, aad=b"social_account:17")
        assert vault.decrypt(token, aad=b"social_account:17") == TOKEN

    @pytest.mark.parametrize("aad", [b"social_account:18", b"", b"social_account:17\x00"])
    def test_value_moved_to_another_row_is_detected(self, vault: Vault, aad: bytes) -> None:
        token = vault.encrypt(TOKEN, aad=b"social_account:17")
        with pytest.raises(VaultTamperError):
            vault.decrypt(token, aad=aad)

    def test_aad_is_required_when_none_was_bound(self, vault: Vault) -> None:
        with pytest.raises(VaultTamperError):
            vault.decrypt(vault.encrypt(TOKEN), aad=b"social_account:17")


class TestKeyConfiguration:
    def test_token_for_unknown_key_id_raises_key_error(self, vault: Vault) -> None:
        token = vault.encrypt(TOKEN)
        with pytest.raises(VaultKeyError):
            vault.decrypt("v1.k2099." + token.removeprefix("v1.new."))

    def test_unconfigured_active_key_is_refused(self) -> None:
        with pytest.raises(VaultKeyError):
            Vault({"k1": OLD_SECRET}, "k2")

    def test_empty_key_set_is_refused(self) -> None:
        with pytest.raises(VaultKeyError):
            Vault({}, "k1")

    @pytest.mark.parametrize("secret", ["", "short", "x" * 15, b"y" * 15, "鍵" * 15])
    def test_short_secret_is_refused_without_echoing_it(self, secret: str | bytes) -> None:
        with pytest.raises(VaultKeyError) as excinfo:
            Vault({"k1": secret}, "k1")
        if len(secret) >= 5:
            assert str(secret) not in str(excinfo.value)

    @pytest.mark.parametrize("secret", ["x" * 16, b"\x00" * 16, "パスワード" * 4])
    def test_sixteen_character_secret_is_accepted(self, secret: str | bytes) -> None:
        assert Vault({"k1": secret}, "k1").active_key_id == "k1"

    @pytest.mark.parametrize("key_id", ["", "k.1", "k 1", "k1\n", "k:1", "ä", "k" * 33])
    def test_key_id_outside_the_allowed_alphabet_is_refused(self, key_id: str) -> None:
        with pytest.raises(VaultKeyError):
            Vault({key_id: OLD_SECRET}, key_id)

    def test_longest_allowed_key_id_round_trips(self) -> None:
        key_id = "K_-9" * 8
        long_vault = Vault({key_id: OLD_SECRET}, key_id)
        assert long_vault.key_id_of(long_vault.encrypt(TOKEN)) == key_id

    def test_repr_and_errors_do_not_leak_secrets_or_plaintext(self, vault: Vault) -> None:
        assert OLD_SECRET not in repr(vault) and NEW_SECRET not in repr(vault)
        assert "new" in repr(vault)
        token = vault.encrypt(TOKEN, aad=b"row:1")
        with pytest.raises(VaultTamperError) as excinfo:
            vault.decrypt(token, aad=b"row:2")
        assert TOKEN not in str(excinfo.value) and NEW_SECRET not in str(excinfo.value)


class TestFromConfig:
    def test_first_listed_key_is_active_by_default(self) -> None:
        parsed = Vault.from_config(f"k2:{NEW_SECRET},k1:{OLD_SECRET}")
        assert parsed.active_key_id == "k2"
        assert parsed.key_id_of(parsed.encrypt(TOKEN)) == "k2"

    def test_explicit_active_key_wins(self) -> None:
        parsed = Vault.from_config(f"k2:{NEW_SECRET},k1:{OLD_SECRET}", active_key_id="k1")
        assert parsed.active_key_id == "k1"

    def test_surrounding_whitespace_is_ignored_and_secrets_may_contain_colons(self) -> None:
        spaced = Vault.from_config(f" k2 : {NEW_SECRET} ,\n k1:a:b:c:d:e:f:g:h:i:j ")
        assert repr(spaced) == "Vault(key_ids=['k2', 'k1'], active_key_id='k2')"
        assert spaced.decrypt(spaced.encrypt(TOKEN)) == TOKEN

    def test_same_secret_from_config_and_mapping_are_interchangeable(self, old_vault: Vault) -> None:
        parsed = Vault.from_config(f"old:{OLD_SECRET}")
        assert parsed.decrypt(old_vault.encrypt(TOKEN)) == TOKEN

    def test_duplicate_key_id_is_refused(self) -> None:
        with pytest.raises(VaultKeyError, match="twice"):
            Vault.from_config(f"k1:{NEW_SECRET},k1:{OLD_SECRET}")

    @pytest.mark.parametrize(
        "spec",
        [
            "",
            " ",
            OLD_SECRET,
            "k1:",
            f":{OLD_SECRET}",
            f"k1:{OLD_SECRET},",
            f"k1:{OLD_SECRET},,k2:{NEW_SECRET}",
            f"k.1:{OLD_SECRET}",
            "k1:short",
        ],
    )
    def test_malformed_spec_is_refused_without_echoing_secrets(self, spec: str) -> None:
        with pytest.raises(VaultKeyError) as excinfo:
            Vault.from_config(spec)
        message = str(excinfo.value)
        assert OLD_SECRET not in message and NEW_SECRET not in message and "short" not in message

    def test_unknown_explicit_active_key_is_refused(self) -> None:
        with pytest.raises(VaultKeyError):
            Vault.from_config(f"k1:{OLD_SECRET}", active_key_id="k2")


class TestRotation:
    def test_new_active_key_reads_old_tokens_and_rotates_them(self, old_vault: Vault, vault: Vault) -> None:
        old_token = old_vault.encrypt(TOKEN, aad=b"row:7")
        assert vault.decrypt(old_token, aad=b"row:7") == TOKEN
        assert vault.needs_rotation(old_token)
        assert vault.key_id_of(old_token) == "old"

        rotated = vault.rotate(old_token, aad=b"row:7")
        assert vault.key_id_of(rotated) == "new"
        assert not vault.needs_rotation(rotated)
        assert vault.decrypt(rotated, aad=b"row:7") == TOKEN

        new_only = Vault({"new": NEW_SECRET}, "new")
        assert new_only.decrypt(rotated, aad=b"row:7") == TOKEN
        with pytest.raises(VaultKeyError):
            new_only.decrypt(old_token, aad=b"row:7")

    def test_rotating_a_current_token_returns_it_unchanged(self, vault: Vault) -> None:
        token = vault.encrypt(TOKEN)
        assert not vault.needs_rotation(token)
        assert vault.rotate(token) is token

    def test_rotation_with_wrong_aad_is_detected(self, old_vault: Vault, vault: Vault) -> None:
        with pytest.raises(VaultTamperError):
            vault.rotate(old_vault.encrypt(TOKEN, aad=b"row:1"), aad=b"row:2")

    def test_rotating_a_malformed_token_is_detected(self, vault: Vault) -> None:
        with pytest.raises(VaultTamperError):
            vault.rotate("v1.old.garbage!")


class TestKekCache:
    def test_scrypt_runs_once_per_key_id_not_per_value(self, scrypt_calls: Counter[str]) -> None:
        fresh = Vault({"new": NEW_SECRET, "old": OLD_SECRET}, "new")
        old_only = Vault({"old": OLD_SECRET}, "old")
        assert scrypt_calls == Counter()  # derivation is lazy
        new_tokens = [fresh.encrypt(f"{TOKEN}-{i}") for i in range(200)]
        assert [fresh.decrypt(t) for t in new_tokens] == [f"{TOKEN}-{i}" for i in range(200)]
        assert scrypt_calls == Counter({"new": 1})
        old_tokens = [old_only.encrypt(f"{TOKEN}-{i}") for i in range(200)]
        for token in old_tokens:
            fresh.decrypt(token)
        assert scrypt_calls == Counter({"new": 1, "old": 2})  # one per key id per vault

    def test_unknown_key_id_never_reaches_scrypt(self, scrypt_calls: Counter[str]) -> None:
        fresh = Vault({"new": NEW_SECRET}, "new")
        with pytest.raises(VaultKeyError):
            fresh.decrypt("v1.old." + "A" * 60)
        assert scrypt_calls == Counter()


class TestThreadSafety:
    def test_concurrent_round_trips_are_correct_and_derive_once(self, scrypt_calls: Counter[str]) -> None:
        fresh = Vault({"new": NEW_SECRET, "old": OLD_SECRET}, "new")
        threads = 8
        start = threading.Barrier(threads)

        def worker(worker_id: int) -> list[tuple[str, str]]:
            start.wait()  # maximise contention on the first KEK derivation
            results = []
            for i in range(100):
                plaintext = f"{TOKEN}-{worker_id}-{i}-🔐"
                aad = f"row:{worker_id}:{i}".encode()
                results.append((plaintext, fresh.decrypt(fresh.encrypt(plaintext, aad=aad), aad=aad)))
            return results

        with ThreadPoolExecutor(max_workers=threads) as pool:
            outcomes = [pair for chunk in pool.map(worker, range(threads)) for pair in chunk]

        assert len(outcomes) == threads * 100
        assert all(expected == actual for expected, actual in outcomes)
        assert scrypt_calls == Counter({"new": 1})
