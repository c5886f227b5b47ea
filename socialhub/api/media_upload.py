"""Reading a multipart upload as it streams in: the file part goes straight into the service's ``Upload``.

python-multipart's streaming parser is fed ``request.stream()`` chunk by chunk, so the file is never whole in
memory and an oversized one is refused as soon as it crosses the limit. Two fields: ``file`` (exactly one) and
``alt_text`` (optional, small).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from fastapi import Request
from python_multipart.exceptions import MultipartParseError
from python_multipart.multipart import MultipartParser, parse_options_header

from socialhub.context import Context
from socialhub.services import media
from socialhub.services.errors import Invalid, SocialHubError, UnsupportedMediaType

FILE_FIELD, ALT_TEXT_FIELD = "file", "alt_text"
MAX_TEXT_FIELD_BYTES = 4 * media.ALT_TEXT_LIMIT  # UTF-8: at most four bytes a character
HOW = "Send the file as multipart/form-data, in a field named “file” (and optionally “alt_text”)."


class MalformedUpload(SocialHubError):
    code, status = "malformed_multipart", 400


@dataclass
class UploadForm:
    upload: media.Upload | None = None
    alt_text: bytearray = field(default_factory=bytearray)
    complete: bool = False


async def receive_upload(request: Request, ctx: Context) -> tuple[media.Upload, str]:
    """The streamed file (call ``finish_upload``, then ``discard``) and the alt text; every refusal discards."""
    kind, params = parse_options_header(request.headers.get("content-type"))
    boundary = params.get(b"boundary")
    if kind != b"multipart/form-data" or not boundary:
        raise UnsupportedMediaType(HOW)
    form = UploadForm()
    try:
        parser = MultipartParser(boundary, _callbacks(form, ctx))
        async for chunk in request.stream():
            parser.write(chunk)
        parser.finalize()
    except MultipartParseError as exc:
        _discard(form)
        raise MalformedUpload(f"The upload is not valid multipart/form-data ({exc}). {HOW}") from exc
    except BaseException:  # a refusal, a client that went away, the body limit: nothing stays on disk
        _discard(form)
        raise
    if not form.complete:
        _discard(form)
        raise MalformedUpload(f"The upload ended before its last part; send it again. {HOW}")
    if form.upload is None:
        raise Invalid(f"The upload has no file. {HOW}", details={"field": FILE_FIELD})
    try:
        alt_text = form.alt_text.decode("utf-8")
    except UnicodeDecodeError as exc:
        _discard(form)
        raise Invalid("The alt text must be UTF-8 text.", details={"field": ALT_TEXT_FIELD}) from exc
    return form.upload, alt_text


def _discard(form: UploadForm) -> None:
    if form.upload is not None:
        form.upload.discard()


def _callbacks(form: UploadForm, ctx: Context) -> dict[str, object]:
    """The parser's events for one form; the state of the part being read lives in this closure."""
    headers: dict[bytes, bytes] = {}
    header_name, header_value = bytearray(), bytearray()
    current: list[str] = [""]  # the field whose data is arriving

    def on_part_begin() -> None:
        headers.clear()

    def on_header_field(data: bytes, start: int, end: int) -> None:
        header_name.extend(data[start:end])

    def on_header_value(data: bytes, start: int, end: int) -> None:
        header_value.extend(data[start:end])

    def on_header_end() -> None:
        headers[bytes(header_name).lower()] = bytes(header_value)
        header_name.clear()
        header_value.clear()

    def on_headers_finished() -> None:
        _, options = parse_options_header(headers.get(b"content-disposition"))
        name = options.get(b"name", b"").decode("utf-8", "replace")
        if name == FILE_FIELD:
            if form.upload is not None:
                raise Invalid("Send one file per upload.", details={"field": FILE_FIELD})
            filename = options.get(b"filename", b"").decode("utf-8", "replace")
            form.upload = media.start_upload(ctx, filename=filename)
        elif name != ALT_TEXT_FIELD:
            raise Invalid(f"The upload has a field “{name}” it does not take. {HOW}", details={"field": name})
        current[0] = name

    def on_part_data(data: bytes, start: int, end: int) -> None:
        if current[0] == FILE_FIELD:
            assert form.upload is not None
            form.upload.write(data[start:end])
        elif len(form.alt_text) + end - start > MAX_TEXT_FIELD_BYTES:
            raise Invalid(
                f"Alt text can have at most {media.ALT_TEXT_LIMIT:,} characters.", details={"field": ALT_TEXT_FIELD}
            )
        else:
            form.alt_text.extend(data[start:end])

    def on_end() -> None:
        form.complete = True

    return {
        "on_part_begin": on_part_begin,
        "on_header_field": on_header_field,
        "on_header_value": on_header_value,
        "on_header_end": on_header_end,
        "on_headers_finished": on_headers_finished,
        "on_part_data": on_part_data,
        "on_end": on_end,
    }
