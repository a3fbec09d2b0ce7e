"""The ``assistant`` command line: ingest, ask, chat, serve, ui, eval.

A thin shell over :class:`assistant.Assistant`. Heavy web dependencies are imported only by
the commands that need them, so ``assistant ask`` never loads Gradio or FastAPI.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Any, Optional

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from pydantic import ValidationError

from . import Assistant, AssistantError, ConfigurationError, RetrievalFilter, load_settings
from .config import AnswerBackend, RetrievalMode, upper_bound, use_offline_environment
from .schema import Answer, Turn

MAX_K = int(upper_bound("top_k"))

app = typer.Typer(
    help="Analyst chat assistant: cited answers from the articles in your corpus.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
console = Console()
err = Console(stderr=True)


def _assistant(ctx: typer.Context, **extra: Any) -> Assistant:
    overrides = {**(ctx.obj or {}), **{k: v for k, v in extra.items() if v is not None}}
    return Assistant(load_settings(**overrides))


@app.callback()
def _options(
    ctx: typer.Context,
    store_dir: Annotated[Optional[Path], typer.Option(help="Chroma folder (ASSISTANT_STORE_DIR).")] = None,
    corpus_dir: Annotated[Optional[Path], typer.Option(help="Corpus folder (ASSISTANT_CORPUS_DIR).")] = None,
    collection: Annotated[Optional[str], typer.Option(help="Collection name (ASSISTANT_COLLECTION).")] = None,
    chroma_host: Annotated[Optional[str], typer.Option(help="Use a Chroma server at this host.")] = None,
    chroma_port: Annotated[Optional[int], typer.Option(help="Port of the Chroma server.")] = None,
    model: Annotated[Optional[str], typer.Option("--model", help="Embedding model folder.")] = None,
) -> None:
    use_offline_environment()  # every command starts here, before any model or web library loads
    ctx.obj = {
        "store_dir": store_dir, "corpus_dir": corpus_dir, "collection": collection,
        "chroma_host": chroma_host, "chroma_port": chroma_port, "embedding_model": model,
    }


@app.command()
def ingest(
    ctx: typer.Context,
    paths: Annotated[Optional[list[Path]], typer.Argument(help="Files or folders (default: the corpus folder).")] = None,
    prune: Annotated[bool, typer.Option(help="Remove indexed documents whose file left these folders.")] = True,
    rebuild: Annotated[bool, typer.Option(help="Drop the index first (e.g. after changing the model).")] = False,
) -> None:
    """Index articles. Unchanged files are skipped; changed ones are replaced atomically."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    bot = _assistant(ctx)
    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                  TimeElapsedColumn(), console=err, transient=True) as bar:
        task = bar.add_task("Indexing", total=None)

        def progress(event: str, done: int, total: int, path: str) -> None:
            bar.update(task, total=total, completed=done,
                       description=f"Indexing {Path(path).name}" if path else "Indexing")

        report = bot.ingest(paths or None, prune=prune, progress=progress, rebuild=rebuild)
    for path, problem in report.failed.items():
        err.print(f"[red]skipped[/red] {escape(path)}: {escape(problem)}")
    console.print(report.summary())
    if report.failed:
        raise typer.Exit(1)


@app.command()
def status(ctx: typer.Context, as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """Show the indexed documents, chunk counts, the model and the store location."""
    bot = _assistant(ctx)
    info = bot.status()
    docs = bot.documents()
    if as_json:
        print(json.dumps({**info, "documents": [d.model_dump() for d in docs]}, indent=2))
        return
    table = Table(title=f"{info['documents']} documents, {info['chunks']} passages")
    for column in ("title", "author", "date", "format", "chunks", "path"):
        table.add_column(column)
    for d in docs:
        table.add_row(escape(d.title), escape(d.author or ""), d.date or "", d.format, str(d.chunks), escape(d.path))
    console.print(table)
    console.print(f"model: {info['embedding_model']}\nstore: {escape(info['store'])}")


@app.command()
def remove(
    ctx: typer.Context,
    document: Annotated[str, typer.Argument(help="Path of the document (as `status` shows it).")],
    delete_file: Annotated[bool, typer.Option(help="Also delete the file from the corpus.")] = False,
) -> None:
    """Take a document out of the index."""
    bot = _assistant(ctx)
    info = bot.remove(str(Path(document).resolve()) if Path(document).exists() else document, delete_file)
    console.print(f"removed {escape(info.title)} ({info.chunks} passages)")


def _filters(document: list[str] | None, section: list[str] | None, date_from: str | None,
             date_to: str | None) -> RetrievalFilter | None:
    if not (document or section or date_from or date_to):
        return None
    docs = tuple(str(Path(d).resolve()) if Path(d).exists() else d for d in document or ()) or None
    try:
        return RetrievalFilter(documents=docs, sections=tuple(section) if section else None,
                               date_from=date_from, date_to=date_to)
    except ValidationError as exc:
        problems = "; ".join(f"--{str(e['loc'][0]).replace('_', '-')}: {e['msg']}" for e in exc.errors())
        raise ConfigurationError(f"invalid filter ({problems})") from None


def print_answer(answer: Answer) -> None:
    style = "yellow" if answer.abstained else "bold"
    console.print(f"[{style}]{escape(answer.text)}[/{style}]")
    for warning in answer.warnings:
        err.print(f"[yellow]warning:[/yellow] {escape(warning)}")
    if answer.citations:
        console.print()
        for cit in answer.citations:
            where = " · ".join(x for x in (cit.title, cit.author, cit.date, cit.section) if x)
            console.print(f"[cyan][{cit.marker}][/cyan] {escape(where)} (chars {cit.start}-{cit.end})")
            console.print(f"    “{escape(cit.quote)}”", soft_wrap=True)


@app.command()
def ask(
    ctx: typer.Context,
    question: Annotated[str, typer.Argument(help="Your question, in quotes.")],
    k: Annotated[Optional[int], typer.Option("-k", "--top-k", min=1, max=MAX_K, help="Passages to retrieve.")] = None,
    mode: Annotated[Optional[RetrievalMode], typer.Option(help="Retrieval mode (default: ASSISTANT_RETRIEVAL_MODE).")] = None,
    backend: Annotated[Optional[AnswerBackend], typer.Option(help="Answer backend (default: ASSISTANT_ANSWER_BACKEND).")] = None,
    document: Annotated[Optional[list[str]], typer.Option(help="Only this document (repeatable).")] = None,
    section: Annotated[Optional[list[str]], typer.Option(help="Only this section (repeatable).")] = None,
    date_from: Annotated[Optional[str], typer.Option(help="Only articles dated on/after (YYYY-MM-DD).")] = None,
    date_to: Annotated[Optional[str], typer.Option(help="Only articles dated on/before (YYYY-MM-DD).")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the Answer as JSON.")] = False,
) -> None:
    """Ask one question; every sentence of the answer cites its passage."""
    bot = _assistant(ctx)
    answer = bot.ask(question, k=k, mode=mode, backend=backend,
                     filters=_filters(document, section, date_from, date_to))
    if as_json:
        print(answer.model_dump_json(indent=2))
    else:
        print_answer(answer)


@app.command()
def chat(
    ctx: typer.Context,
    k: Annotated[Optional[int], typer.Option("-k", "--top-k", min=1, max=MAX_K)] = None,
    backend: Annotated[Optional[AnswerBackend], typer.Option(help="Answer backend (default: ASSISTANT_ANSWER_BACKEND).")] = None,
) -> None:
    """Interactive conversation; follow-up questions use the earlier turns. /clear, /quit."""
    bot = _assistant(ctx)
    history: list[Turn] = []
    interactive = sys.stdin.isatty()
    if interactive:
        console.print("Ask about the corpus. /clear starts over, /quit leaves.")
    while True:
        try:
            line = console.input("[bold cyan]> [/bold cyan]") if interactive else input()
        except (EOFError, KeyboardInterrupt):
            break
        line = line.strip()
        if not line:
            continue
        if line in ("/quit", "/exit"):
            break
        if line == "/clear":
            history = []
            console.print("(conversation cleared)")
            continue
        try:
            recent = history[max(0, len(history) - bot.settings.max_history_turns):]  # never over the limit
            answer = bot.chat(recent, line, k=k, backend=backend)
        except AssistantError as exc:
            err.print(f"[red]error:[/red] {escape(str(exc))}")
            continue
        print_answer(answer)
        console.print()
        history.append(answer.as_turn())


@app.command()
def serve(
    ctx: typer.Context,
    host: Annotated[Optional[str], typer.Option(help="Interface to bind (default 127.0.0.1).")] = None,
    port: Annotated[Optional[int], typer.Option(help="Port (default: ASSISTANT_PORT if set, else 8000).")] = None,
    insecure: Annotated[bool, typer.Option("--insecure", help="Allow a non-loopback host without ASSISTANT_AUTH.")] = False,
) -> None:
    """Serve the JSON API alone (FastAPI, OpenAPI docs at /docs). A non-loopback host needs a login."""
    from .limits import require_login_to_expose

    bot = _assistant(ctx, insecure=insecure or None)
    bind = host or bot.settings.host
    warning = require_login_to_expose(bind, bot.settings)  # before any heavy import or model load
    if warning:
        err.print(f"[yellow]{escape(warning)}[/yellow]")
    import uvicorn

    from .http import create_api

    uvicorn.run(create_api(bot), host=bind, port=port or api_port(bot), log_level="info")


@app.command()
def ui(
    ctx: typer.Context,
    host: Annotated[Optional[str], typer.Option(help="Interface to bind (default 127.0.0.1).")] = None,
    port: Annotated[Optional[int], typer.Option(help="Port (default 7860).")] = None,
    ingest_first: Annotated[bool, typer.Option("--ingest/--no-ingest", help="Index the corpus first.")] = True,
    insecure: Annotated[bool, typer.Option("--insecure", help="Allow a non-loopback host without ASSISTANT_AUTH.")] = False,
) -> None:
    """Open the web chat (Gradio) with the JSON API beside it under /api. A non-loopback host needs a login."""
    from .limits import require_login_to_expose

    bot = _assistant(ctx, host=host, port=port, insecure=insecure or None)
    require_login_to_expose(bot.settings.host, bot.settings)  # fail before the ingest, not after

    from .webapp import launch

    if ingest_first:
        console.print(bot.ingest().summary())
    launch(bot)


@app.command()
def mcp(
    ctx: typer.Context,
    http: Annotated[bool, typer.Option("--http", help="Streamable HTTP at /mcp instead of stdio.")] = False,
    host: Annotated[str, typer.Option(help="Interface for --http (a non-loopback one needs ASSISTANT_AUTH).")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535, help="Port for --http.")] = 8765,
    insecure: Annotated[bool, typer.Option("--insecure", help="Allow a non-loopback host without ASSISTANT_AUTH.")] = False,
) -> None:
    """Serve the corpus to MCP clients: tools ask and search, one resource per document.

    stdio by default (for Claude Desktop and other MCP hosts); nothing else is printed on stdout.
    """
    from .mcp_server import serve as serve_mcp

    serve_mcp(_assistant(ctx), http=http, host=host, port=port, insecure=insecure)


@app.command("eval")
def evaluate_cmd(
    ctx: typer.Context,
    dataset: Annotated[Optional[Path], typer.Option(help="Golden set (JSONL).")] = None,
    split: Annotated[str, typer.Option(help="dev | test | all")] = "test",
    corpus: Annotated[str, typer.Option(
        help="multi: the corpus folder plus --extra-corpus in one index, every item | "
             "bisi: the corpus folder alone, its own items | both: one run of each")] = "multi",
    extra_corpus: Annotated[Optional[Path], typer.Option(
        help="Folder the multi-document corpus adds (default tests/eval/corpora/crs).")] = None,
    retrieval: Annotated[str, typer.Option(help="hybrid | dense | lexical")] = "hybrid",
    compare: Annotated[bool, typer.Option(help="Run every ablation variant.")] = False,
    calibrate: Annotated[bool, typer.Option(help="Sweep the abstention threshold (dev items only, whatever --split says).")] = False,
    out: Annotated[Path, typer.Option(help="Folder for eval.json, eval.md and eval.png.")] = Path("reports"),
    backend: Annotated[Optional[AnswerBackend], typer.Option(
        help="Answer backend to score (default: ASSISTANT_ANSWER_BACKEND); the same metrics for each.")] = None,
) -> None:
    """Score the assistant on the golden set; writes JSON, Markdown and a plot.

    The report gives dev and test (with --split all), each corpus, each document and each
    category separately, with false refusals, injections caught and the median answer length.
    """
    from .evaluation import load_golden, run_variant
    from .evaluation.dataset import held_out_documents
    from .evaluation.report import rich_table, write_reports
    from .evaluation.runner import CORPORA, VARIANTS, calibrate as sweep

    if split not in ("dev", "test", "all"):
        raise ConfigurationError(f"unknown split {split!r}; choose dev, test or all")
    corpora = list(CORPORA) if corpus == "both" else [corpus]
    if any(c not in CORPORA for c in corpora):
        raise ConfigurationError(f"unknown corpus {corpus!r}; choose {', '.join(CORPORA)} or both")
    if retrieval not in VARIANTS:
        raise ConfigurationError(f"unknown retrieval {retrieval!r}; choose hybrid, dense or lexical")
    settings = load_settings(**{k: v for k, v in (ctx.obj or {}).items() if v is not None})
    items = load_golden(dataset, split)
    names = list(VARIANTS) if compare else [retrieval]
    runs = []
    for which in corpora:
        for name in names:
            err.print(f"evaluating {name} on the {which} corpus ...")
            run = run_variant(name, settings, items, split, corpus=which, extra=extra_corpus, backend=backend)
            if len(corpora) > 1:
                run.variant = f"{name} ({which})"
            runs.append(run)
    table = sweep(settings, load_golden(dataset, "dev"), corpora[0], extra_corpus) if calibrate else None
    console.print(rich_table(runs))
    if table:
        best = max(table, key=lambda r: (r["abstention_f1"], r["answered_rate"]))
        console.print(f"best abstention threshold on the dev split: {best['threshold']:.2f} "
                      f"(F1 {best['abstention_f1']:.2f}, answered {best['answered_rate']:.2f})")
    # dev answers that quote a held-out document are not printed in eval.md (see tests/eval/README.md)
    paths = write_reports(runs, out, table, hidden=held_out_documents(load_golden(dataset)))
    console.print("wrote " + ", ".join(str(p) for p in paths.values()))


def api_port(bot: Assistant) -> int:
    """The API's port: ASSISTANT_PORT (or ``port`` in assistant.toml) when set, else 8000, so the
    API alone does not take the UI's default port 7860."""
    return bot.settings.port if "port" in bot.settings.model_fields_set else 8000


def main() -> None:
    use_offline_environment()
    try:
        app()
    except AssistantError as exc:
        err.print(f"[red]error:[/red] {escape(str(exc))}")
        sys.exit(1)


if __name__ == "__main__":
    main()
