"""The studio's web app: FastAPI handlers that turn the page's requests into library calls and jobs.

Handlers contain no algorithm: they check the request (paths through ``paths.inside``), call ``library``,
``uploads``, ``models``, ``dreams``, ``results`` or the job ``Queue``, and answer JSON. Every refusal and every
library error is one line, ``{"error": "..."}``; the page shows it where the person is looking.
"""

from __future__ import annotations

import asyncio
import json
import logging
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from importlib import resources
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, JSONResponse, StreamingResponse
from fastapi.staticfiles import StaticFiles

from deepdream_torch.errors import DeepDreamError
from deepdream_torch.studio import library, models, results, uploads
from deepdream_torch.studio.channel_sheet import channel_sheet
from deepdream_torch.studio.dreams import Dreamer, Settings
from deepdream_torch.studio.errors import StudioError
from deepdream_torch.studio.job_spec import JobSpec
from deepdream_torch.studio.jobs import Queue
from deepdream_torch.studio.paths import inside, relative_name
from deepdream_torch.studio.security import Gate
from deepdream_torch.studio.workdir import workdir_for

log = logging.getLogger("deepdream.studio")
STATIC = resources.files("deepdream_torch.studio") / "static"


class Changes:
    """A counter the event streams watch: bumped by any change of jobs or downloads."""

    def __init__(self) -> None:
        self.version = 0
        self.lock = threading.Lock()

    def bump(self) -> None:
        with self.lock:
            self.version += 1


def create_app(
    data: Path, token: str, hosts: frozenset[str], *, max_upload_bytes: int = uploads.MAX_BYTES,
    max_upload_pixels: int = uploads.MAX_PIXELS, run_jobs: bool = True,
) -> Gate:
    """The app for the data folder ``data``, behind the token and Host gate (``security.Gate``)."""
    data = Path(data).resolve()
    data.mkdir(parents=True, exist_ok=True)
    changes = Changes()
    queue = Queue(data, workdir_for(data), changes.bump)
    downloads = models.Downloads(changes.bump)
    dreamer = Dreamer(data)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        if run_jobs:
            queue.start()
        yield
        if run_jobs:
            await asyncio.to_thread(queue.close)

    app = FastAPI(title="deepdream studio", lifespan=lifespan, docs_url=None, redoc_url=None, openapi_url=None)
    app.state.queue, app.state.dreamer, app.state.data = queue, dreamer, data

    @app.exception_handler(DeepDreamError)
    async def one_line(_: Request, error: DeepDreamError) -> JSONResponse:
        status = error.status if isinstance(error, StudioError) else 400
        return JSONResponse({"error": str(error).splitlines()[0] if str(error) else type(error).__name__}, status)

    @app.exception_handler(RequestValidationError)
    async def bad_request(_: Request, error: RequestValidationError) -> JSONResponse:
        first = error.errors()[0] if error.errors() else {}
        where = ".".join(str(part) for part in first.get("loc", ()))
        return JSONResponse({"error": f"bad request: {where} {first.get('msg', '')}".strip()}, 400)

    @app.exception_handler(OSError)
    async def world(_: Request, error: OSError) -> JSONResponse:
        return JSONResponse({"error": f"{error.strerror or error}: {error.filename or ''}".strip(": ")}, 500)

    @app.exception_handler(Exception)
    async def bug(_: Request, error: Exception) -> JSONResponse:
        log.exception("studio request failed")
        return JSONResponse({"error": f"internal error ({type(error).__name__}); the server's log has the details"}, 500)

    @app.get("/")
    def index() -> FileResponse:
        return FileResponse(str(STATIC / "index.html"), headers={"Cache-Control": "no-store"})

    app.mount("/static", StaticFiles(directory=str(STATIC)), name="static")

    @app.get("/api/library")
    def library_list() -> dict[str, Any]:
        return {"sources": [source.as_json() for source in library.sources(data)]}

    @app.get("/api/thumb")
    async def thumb(name: str) -> FileResponse:
        # On the event loop: a cached thumbnail is a few stat calls, and a thread hop per picture costs more than
        # that with hundreds of them on a page; a thumbnail still to make is made in a thread.
        cached = library.cached_thumbnail(data, name)
        made = cached if cached.is_file() else await asyncio.to_thread(library.thumbnail, data, name)
        return FileResponse(made, headers={"Cache-Control": "private, max-age=86400"})

    @app.get("/api/file")
    def file(name: str, download: bool = False) -> FileResponse:
        path = inside(data, name)
        if not path.is_file():
            raise StudioError(f"no file {name} in the data folder", 404)
        return FileResponse(path, filename=path.name if download else None, headers={"Cache-Control": "no-cache"})

    @app.post("/api/upload")
    async def upload(request: Request, filename: str) -> dict[str, Any]:
        path = await uploads.receive_upload(data, filename, request.stream(), max_upload_bytes, max_upload_pixels)
        return {"name": relative_name(data, path)}

    @app.get("/api/models")
    def model_list() -> dict[str, Any]:
        local = [{"name": name, "folder": str(files.folder)} for name, files in models.local_models().items()]
        return {"local": local, "zoo": models.zoo_list(), "downloads": downloads.snapshot()}

    @app.post("/api/zoo/get")
    async def zoo_get(request: Request) -> dict[str, Any]:
        body = await _json(request)
        return downloads.start(str(body.get("name")))

    @app.get("/api/layers")
    def layer_list(model: str) -> dict[str, Any]:
        rows = models.layers(models.files_of(model))
        return {"layers": rows, "default": dreamer.default_layer(model)}

    @app.get("/api/layer_look")
    def layer_look(model: str, source: str, layer: str) -> FileResponse:
        return FileResponse(dreamer.layer_look(model, source, layer), headers={"Cache-Control": "private, max-age=86400"})

    @app.get("/api/channel_sheet")
    def channels_of_layer(model: str, source: str, layer: str, start: int = 0, count: int = 8) -> dict[str, Any]:
        return channel_sheet(dreamer, model, source, layer, start, count)

    @app.post("/api/preview")
    async def preview(request: Request) -> dict[str, Any]:
        body = await _json(request)
        model, source = _text(body, "model"), _text(body, "source")
        return await asyncio.to_thread(dreamer.preview, model, source, Settings.from_json(body))

    @app.post("/api/preview/cancel")
    async def preview_cancel(request: Request) -> dict[str, Any]:
        await _json(request)
        dreamer.cancel()
        return {"cancelled": True}

    @app.get("/api/jobs")
    def jobs() -> dict[str, Any]:
        return {"jobs": queue.snapshot()}

    @app.post("/api/jobs")
    async def add_job(request: Request) -> dict[str, Any]:
        spec = JobSpec.from_json(data, await _json(request), models.model_folders())
        job, new = queue.add(spec)
        return {"job": job.as_json(), "new": new}

    @app.post("/api/jobs/cancel_waiting")
    async def cancel_waiting(request: Request) -> dict[str, Any]:
        await _json(request)
        return {"cancelled": queue.cancel_waiting()}

    @app.post("/api/jobs/{job_id}/cancel")
    async def cancel(job_id: str, request: Request) -> dict[str, Any]:
        await _json(request)
        return {"job": queue.cancel(job_id).as_json()}

    @app.post("/api/jobs/{job_id}/resume")
    async def resume(job_id: str, request: Request) -> dict[str, Any]:
        await _json(request)
        return {"job": queue.resume(job_id).as_json()}

    @app.get("/api/dreams")
    def dreams(source: str) -> dict[str, Any]:
        return {"dreams": results.dreams_of(data, source)}

    @app.post("/api/delete")
    async def delete(request: Request) -> dict[str, Any]:
        body = await _json(request)
        return {"deleted": results.delete(data, _text(body, "name"))}

    @app.get("/api/events")
    async def events(request: Request, once: bool = False) -> StreamingResponse:
        async def stream() -> AsyncIterator[str]:
            seen, kind = -1, "snapshot"  # the first event is the whole state: a reload re-attaches from it
            while True:
                if changes.version != seen:
                    seen = changes.version
                    state = {"jobs": queue.snapshot(), "downloads": downloads.snapshot(), "version": seen}
                    yield f"event: {kind}\ndata: {json.dumps(state)}\n\n"
                    kind = "state"
                    if once:
                        return
                if await request.is_disconnected():
                    return
                await asyncio.sleep(0.25)

        return StreamingResponse(stream(), media_type="text/event-stream", headers={"Cache-Control": "no-store"})

    return Gate(app, token, hosts)


async def _json(request: Request) -> dict[str, Any]:
    """The body of a change request: a JSON object, or one line saying what is wrong."""
    if request.headers.get("content-type", "").split(";")[0].strip() != "application/json":
        raise StudioError("a change is a JSON request (Content-Type: application/json)", 415)
    try:
        body = json.loads(await request.body() or b"{}")
    except ValueError as error:
        raise StudioError(f"the request is not JSON: {error}") from error
    if not isinstance(body, dict):
        raise StudioError("the request must be a JSON object")
    return body


def _text(body: dict[str, Any], key: str) -> str:
    value = body.get(key)
    if not isinstance(value, str) or not value:
        raise StudioError(f"{key} is missing")
    return value
