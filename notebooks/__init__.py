"""journeylens' notebooks: marimo notebooks whose `@app.function`s are the single source of truth, and the
plain modules beside them.

marimo's App() and `with app.setup:` find the calling frame with inspect.stack(), which also reads the source
lines around every frame on the stack and, for each, scans sys.modules for the frame's module. Importing a
notebook from deep in an import chain made that most of its import time (2.7 of 3.9 s for
ai/outcome_signals, ~5 s of the app's first page on a new server and of every CLI command). marimo uses only
`.frame` of the result, so its App module is given an inspect whose stack() walks the frames and reads
nothing: the same frames, with their code's file name, line and function, and no source context."""

import inspect
import sys
import types

import marimo._ast.app as _marimo_app


class _FramesOnly(types.ModuleType):
    """The inspect module, but stack() reads no file: marimo reads `.frame` only."""

    def __getattr__(self, name: str):
        return getattr(inspect, name)

    @staticmethod
    def stack(context: int = 1) -> list:
        frames, frame = [], sys._getframe(1)  # from the caller's frame on, as inspect.stack() gives them
        while frame is not None:
            code = frame.f_code
            frames.append(inspect.FrameInfo(frame, code.co_filename, frame.f_lineno, code.co_name, None, None))
            frame = frame.f_back
        return frames


if _marimo_app.inspect is inspect:
    _marimo_app.inspect = _FramesOnly("inspect")
