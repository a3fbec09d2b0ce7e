"""The analyst's web chat (Gradio), with the JSON API mounted beside it under /api.

Document text is data: everything that comes from an article is HTML-escaped (and, in chat
messages, Markdown-escaped) before it reaches the page. The page loads nothing from outside
127.0.0.1: system fonts only, no analytics.
"""

from __future__ import annotations

import functools
import html
import re
import sys
import tempfile
from datetime import datetime
from pathlib import Path
from typing import Any

import gradio as gr
from fastapi import FastAPI

from .config import RETRIEVAL_MODES, upper_bound
from .documents import SUPPORTED_EXTENSIONS
from .errors import AssistantError, DocumentError
from .http import add_error_handlers, api_router
from .markers import MARKER
from .openai_compat import openai_router
from .retrieval import RetrievalFilter, default_filter
from .schema import Answer, DocumentInfo, Passage
from .service import Assistant

MAX_EXAMPLES = 4
#: Gradio's event endpoints: their bodies carry questions and chat state, never files (uploads
#: go to /gradio_api/upload), so they get the JSON API's body limit.
GRADIO_EVENTS = ("/gradio_api/queue/join", "/gradio_api/call/", "/gradio_api/run/")
NOT_COVERED_LABEL = "Not covered by the corpus"

CSS = """
.src-panel { max-height: 640px; overflow-y: auto; padding-right: 4px; }
a.cite { text-decoration: none; display: inline-block; }
a.cite sup { display: inline-block; padding: 0 5px; margin-left: 2px; border-radius: 8px; background: #dbeafe; color: #1d4ed8; font-weight: 600; cursor: pointer; }
a.cite:hover sup { background: #2563eb; color: #fff; }
.src-card { border: 1px solid var(--border-color-primary); border-radius: 8px; padding: 10px 12px; margin: 0 0 10px 0; }
.src-card.cited { border-left: 4px solid #2563eb; }
.src-card.flash { box-shadow: 0 0 0 3px #f59e0b; }
.src-head { font-size: 0.85em; color: var(--body-text-color-subdued); margin-bottom: 6px; }
.src-num { display: inline-block; min-width: 1.8em; padding: 0 6px; border-radius: 9px; background: #2563eb; color: #fff; font-weight: 600; text-align: center; margin-right: 6px; }
.src-text mark { background: #fde68a; color: inherit; padding: 0 1px; }
.src-banner { padding: 8px 12px; border-radius: 8px; margin-bottom: 10px; }
.src-banner.abstain { background: #fef3c7; border: 1px solid #f59e0b; }
.src-banner.answer { background: #eff6ff; border: 1px solid #93c5fd; }
.src-muted { color: var(--body-text-color-subdued); font-size: 0.85em; margin: 12px 0 6px; }
.src-doc { font-weight: 600; color: var(--body-text-color); }
.src-dropped { margin-top: 12px; font-size: 0.85em; color: var(--body-text-color-subdued); }
.src-rank { float: right; margin-left: 8px; padding: 0 6px; border-radius: 8px; font-size: 0.8em; border: 1px solid var(--border-color-primary); }
/* Gradio floats the chat's label and toolbar (clear, copy all) over the top of the message
   list, so scrolled messages slide under them. Start the scrolling list below them instead. */
#chat [role="log"] { margin-top: 36px; height: calc(100% - 36px) !important; flex: 1 1 auto; }
"""

# Clicking a [n] chip in the chat scrolls the sources panel to passage n and flashes it.
HEAD = """
<script>
document.addEventListener('click', function (event) {
  const chip = event.target.closest('a[href^="#src-"]');
  if (!chip) { return; }
  event.preventDefault();
  const id = chip.getAttribute('href').slice(1);
  let tries = 0;
  const show = function () {
    const card = document.getElementById(id);
    if (!card) { if (tries++ < 10) { setTimeout(show, 100); } return; }
    card.scrollIntoView({behavior: 'smooth', block: 'nearest'});
    card.classList.add('flash');
    setTimeout(function () { card.classList.remove('flash'); }, 1500);
  };
  show();
}, true);
</script>
"""

_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+!|~])")


def chat_markdown(answer_text: str, abstained: bool = False) -> str:
    """Answer text for the chat bubble: escaped, with [n] turned into clickable chips."""
    parts = MARKER.split(answer_text)
    out = []
    for i, part in enumerate(parts):
        if i % 2:
            out.append(f'<a class="cite" href="#src-{part}" title="Show passage {part}"><sup>[{part}]</sup></a>')
        else:
            out.append(_MD_SPECIAL.sub(r"\\\1", html.escape(part, quote=False)))
    text = "".join(out)
    if abstained:
        return f"⚠️ **{NOT_COVERED_LABEL}.** {text}"
    return text


def _highlight(passage_text: str, spans: list[tuple[int, int]]) -> str:
    """Escaped passage text with the cited spans wrapped in <mark>."""
    out, cursor = [], 0
    for start, end in sorted(spans):
        if start < cursor:
            continue
        out.append(html.escape(passage_text[cursor:start]))
        out.append(f"<mark>{html.escape(passage_text[start:end])}</mark>")
        cursor = end
    out.append(html.escape(passage_text[cursor:]))
    return "".join(out)


def _rank_badge(rank: int, total: int) -> str:
    """Relevance as a reader understands it: the passage's place in the retrieval ranking.

    The fused score behind it is a rank-fusion value (0.03 is a top result), meaningful only
    relative to the other passages, so it is not shown.
    """
    label = "best match" if rank == 1 else f"match {rank} of {total}"
    return f'<span class="src-rank" title="Retrieval rank among the {total} passages shown">{label}</span>'


def _source_meta(p: Passage) -> str:
    """Title, author and date on every card (saying so when the document does not state them)."""
    parts = [f'<span class="src-doc">{html.escape(p.title or Path(p.path).name)}</span>',
             html.escape(p.author) if p.author else "author not stated",
             html.escape(p.date) if p.date else "undated"]
    if p.section:
        parts.append(html.escape(p.section))
    if p.page:
        parts.append(f"page {p.page}")
    return " · ".join(parts)


def sources_html(answer: Answer | None) -> str:
    if answer is None:
        return '<div class="src-panel"><div class="src-muted">Sources for the selected answer appear here.</div></div>'
    q = html.escape(answer.question)
    if answer.abstained:
        head = (f'<div class="src-banner abstain" id="abstain-banner"><b>{NOT_COVERED_LABEL}.</b> '
                f'Nothing was cited for “{q}”.</div>')
    else:
        head = f'<div class="src-banner answer">Sources for “{q}”</div>'
    cited = {c.marker for c in answer.citations}
    cards_cited, cards_other = [], []
    ranked = {p.number: rank for rank, p in enumerate(sorted(answer.passages, key=lambda p: -p.score), start=1)}
    for p in answer.passages:
        spans = [(c.start - p.start, c.end - p.start) for c in answer.citations if c.marker == p.number]
        card = (
            f'<div class="src-card{" cited" if p.number in cited else ""}" id="src-{p.number}" data-number="{p.number}">'
            f'<div class="src-head"><span class="src-num">{p.number}</span>{_rank_badge(ranked[p.number], len(ranked))}'
            f'{_source_meta(p)}</div>'
            f'<div class="src-text">{_highlight(p.text, spans)}</div></div>'
        )
        (cards_cited if p.number in cited else cards_other).append(card)
    body = "".join(cards_cited)
    if cards_other:
        label = "Closest passages (none answers it)" if answer.abstained else "Also retrieved, not cited"
        body += f'<div class="src-muted">{label}</div>' + "".join(cards_other)
    return f'<div class="src-panel">{head}{body}{_dropped_html(answer)}</div>'


def _dropped_html(answer: Answer) -> str:
    """What the LLM wrote that was not shown, folded away: visible only when the reader asks."""
    if not answer.dropped:
        return ""
    n = len(answer.dropped)
    items = "".join(f"<li>{html.escape(d.text)} <i>({html.escape(d.reason)})</i></li>" for d in answer.dropped)
    return (f'<details class="src-dropped" id="dropped"><summary>{n} sentence{"s" if n > 1 else ""} the model '
            f'wrote {"were" if n > 1 else "was"} not shown: no citation supports {"them" if n > 1 else "it"}'
            f'</summary><ul>{items}</ul></details>')


def _md(text: str) -> str:
    """Document or user text as inert Markdown: HTML escaped, Markdown syntax backslashed."""
    return _MD_SPECIAL.sub(r"\\\1", html.escape(" ".join(text.split()), quote=False))


def conversation_markdown(answers: list[dict[str, Any]]) -> str:
    """The conversation with its citations, for export; document text stays data (escaped)."""
    lines = [f"# Conversation exported {datetime.now().isoformat(timespec='seconds')}", ""]
    for n, data in enumerate(answers, start=1):
        answer = Answer.model_validate(data)
        lines += [f"## Q{n}: {_md(answer.question)}", "", _md(answer.text), ""]
        for c in answer.citations:
            where = ", ".join(_md(x) for x in (c.title, c.author, c.date, c.section) if x)
            lines.append(f"- [{c.marker}] {where} (characters {c.start}–{c.end} of "
                         f"{_md(Path(c.path).name)}): “{_md(c.quote)}”")
        lines.append("")
    return "\n".join(lines)


def _documents_rows(bot: Assistant) -> list[list[Any]]:
    return [[d.title, d.author or "", d.date or "", d.chunks, Path(d.path).name] for d in bot.documents()]


def _document_choices(bot: Assistant) -> list[tuple[str, str]]:
    return [(f"{d.title} ({Path(d.path).name})", d.doc_id) for d in bot.documents()]


def _picker_choices(bot: Assistant) -> list[tuple[str, str]]:
    """The chat's document picker: readable names, newest first."""
    return [(f"{display_title(d)} ({Path(d.path).name})", d.doc_id) for d in _newest_first(bot.documents())]


def _newest_first(documents: list[DocumentInfo]) -> list[DocumentInfo]:
    dated = sorted((d for d in documents if d.date), key=lambda d: d.date or "", reverse=True)
    return dated + sorted((d for d in documents if not d.date), key=lambda d: display_title(d).casefold())


def display_title(doc: DocumentInfo) -> str:
    """The document's title, or its file name made readable when the title is not a title
    (empty, a URL, a single token)."""
    title = " ".join((doc.title or "").split())
    if len(title.split()) < 2 or re.match(r"(?i)^(https?:|www\.)", title):
        stem = Path(doc.path).stem
        title = re.sub(r"[-_]+", " ", stem).strip() or stem
    return title


def example_questions(documents: list[DocumentInfo], limit: int = MAX_EXAMPLES) -> list[str]:
    """One example question per recent document, built from its title.

    "Main: subtitle" asks what the main title says about the subtitle; other titles ask for
    the document's main points. Nothing here is fixed to a particular corpus.
    """
    out = []
    for doc in _newest_first(documents)[:limit]:
        title = display_title(doc)
        main, sep, sub = title.partition(": ")
        if sep and main.strip() and len(sub.split()) >= 2:
            out.append(f"What does \u201c{main.strip()}\u201d say about {sub.strip().rstrip('.?!')}?")
        else:
            out.append(f"What are the main points of \u201c{title.rstrip('.?!')}\u201d?")
    return out


def _example_samples(bot: Assistant) -> list[list[str]]:
    return [[q] for q in example_questions(bot.documents())]


def picked_filter(question: str, picked: list[str] | None) -> RetrievalFilter | None:
    """The picker's documents as the retrieval filter (None, all documents, when none is picked)."""
    if not picked:
        return None
    return default_filter(question).model_copy(update={"documents": tuple(picked)})


def clear_errors(fn: Any) -> Any:
    """Show gradio_client callers the assistant's own message (Gradio hides other exceptions)."""
    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except AssistantError as exc:
            raise gr.Error(f"{type(exc).__name__}: {exc}") from None

    return wrapper


def without_paths(data: Any) -> Any:
    """``data`` with every "path" key dropped, recursively (for the gradio_client endpoints)."""
    if isinstance(data, dict):
        return {k: without_paths(v) for k, v in data.items() if k != "path"}
    if isinstance(data, list):
        return [without_paths(v) for v in data]
    return data


def build_ui(bot: Assistant) -> gr.Blocks:
    settings = bot.settings
    llm_ready = settings.llm_configured

    with gr.Blocks(title="Analyst assistant") as demo:
        gr.Markdown("## Analyst assistant\nAnswers come only from the indexed articles; every sentence cites its passage.")
        answers = gr.State([])
        with gr.Tabs():
            with gr.Tab("Chat", id="chat-tab"):
                with gr.Row(equal_height=False):
                    with gr.Column(scale=3):
                        chatbot = gr.Chatbot(label="Conversation", elem_id="chat", height=520,
                                             buttons=["copy", "copy_all"], sanitize_html=True,
                                             feedback_options=None,
                                             placeholder="Ask a question about the corpus. Try an example below.")
                        question = gr.Textbox(show_label=False, elem_id="question", lines=1, max_lines=4,
                                              placeholder="Ask about the corpus…", max_length=settings.max_question_chars)
                        with gr.Row():
                            send = gr.Button("Ask", variant="primary", elem_id="ask-btn")
                            clear = gr.Button("Clear conversation", elem_id="clear-btn")
                            export = gr.Button("Export as Markdown", elem_id="export-btn")
                        picker = gr.Dropdown(choices=_picker_choices(bot), value=[], multiselect=True,
                                             label="Search in", info="All documents when none is picked.",
                                             elem_id="doc-picker")
                        examples = gr.Dataset(components=[question], samples=_example_samples(bot),
                                              label="Examples (one per recent document)", elem_id="examples")
                        export_file = gr.File(label="Exported conversation", visible=False, elem_id="export-file")
                    with gr.Column(scale=2):
                        gr.Markdown("### Sources")
                        sources = gr.HTML(sources_html(None), elem_id="sources")
                with gr.Accordion("Settings", open=False, elem_id="settings"):
                    k = gr.Slider(1, upper_bound("top_k"), value=settings.top_k, step=1, label="Passages to retrieve")
                    mode = gr.Radio(list(RETRIEVAL_MODES), value=settings.retrieval_mode, label="Retrieval mode")
                    backend = gr.Radio(list(settings.available_backends),
                                       value=settings.answer_backend if llm_ready else settings.available_backends[0],
                                       label="Answer backend" + ("" if llm_ready else " (configure ASSISTANT_LLM_* to enable an LLM)"))
            with gr.Tab("Corpus", id="corpus-tab"):
                docs = gr.Dataframe(value=_documents_rows(bot), headers=["title", "author", "date", "passages", "file"],
                                    interactive=False, elem_id="documents", label="Indexed documents")
                upload = gr.File(label=f"Add an article ({', '.join(SUPPORTED_EXTENSIONS)})",
                                 file_types=list(SUPPORTED_EXTENSIONS), elem_id="upload")
                upload_status = gr.Markdown(elem_id="upload-status")
                with gr.Row():
                    to_remove = gr.Dropdown(choices=_document_choices(bot), value=None, label="Remove a document",
                                            elem_id="remove-choice")
                    remove = gr.Button("Remove", variant="stop", elem_id="remove-btn")

        def respond(message: str, history: list[dict[str, Any]], stored: list[dict[str, Any]],
                    k_value: float, mode_value: str, backend_value: str,
                    picked: list[str] | None = None):  # type: ignore[no-untyped-def]
            message = (message or "").strip()
            if not message:
                yield history, stored, gr.skip(), gr.skip()
                return
            # the most recent turns only: a long session must not hit ASSISTANT_MAX_HISTORY_TURNS
            turns = [Answer.model_validate(a).as_turn() for a in stored[max(0, len(stored) - settings.max_history_turns):]]
            history = [*history, {"role": "user", "content": html.escape(message)}, {"role": "assistant", "content": "…"}]
            yield history, stored, "", gr.skip()
            text = ""
            try:
                filters = picked_filter(message, picked)
                for item in bot.stream(message, turns, k=int(k_value), mode=mode_value, backend=backend_value,  # type: ignore[arg-type]
                                       filters=filters):
                    if isinstance(item, Answer):
                        stored = [*stored, item.model_dump(mode="json")]
                        history[-1] = {"role": "assistant", "content": chat_markdown(item.text, item.abstained)}
                        yield history, stored, "", sources_html(item)
                    else:
                        text += item
                        history[-1] = {"role": "assistant", "content": chat_markdown(text)}
                        yield history, stored, "", gr.skip()
            except AssistantError as exc:
                history[-1] = {"role": "assistant", "content": f"⚠️ {html.escape(str(exc))}"}
                yield history, stored, "", gr.skip()

        outputs = [chatbot, answers, question, sources]
        inputs = [question, chatbot, answers, k, mode, backend, picker]
        send.click(respond, inputs, outputs, api_visibility="private")
        question.submit(respond, inputs, outputs, api_visibility="private")
        examples.click(lambda sample: sample[0], [examples], [question], api_visibility="private")

        def refresh_corpus_views():  # type: ignore[no-untyped-def]
            """Picker and examples follow the index (documents may change in another tab or process)."""
            return gr.update(choices=_picker_choices(bot)), gr.update(samples=_example_samples(bot))

        demo.load(refresh_corpus_views, None, [picker, examples], api_visibility="private")

        def select_answer(stored: list[dict[str, Any]], evt: gr.SelectData) -> str:
            index = evt.index[0] if isinstance(evt.index, (list, tuple)) else evt.index
            n = int(index) // 2  # user, assistant, user, assistant, ...
            if 0 <= n < len(stored):
                return sources_html(Answer.model_validate(stored[n]))
            return gr.skip()

        chatbot.select(select_answer, [answers], [sources], api_visibility="private")
        def reset():  # type: ignore[no-untyped-def]
            return [], [], sources_html(None), gr.update(visible=False, value=None)

        clear.click(reset, None, [chatbot, answers, sources, export_file], api_visibility="private")
        # The chat's own trash icon must forget the conversation too, not just hide it.
        chatbot.clear(reset, None, [chatbot, answers, sources, export_file], api_visibility="private")

        def export_conversation(stored: list[dict[str, Any]]):  # type: ignore[no-untyped-def]
            if not stored:
                gr.Warning("Nothing to export yet.")
                return gr.update(visible=False)
            path = Path(tempfile.mkdtemp(prefix="assistant-export-")) / "conversation.md"
            path.write_text(conversation_markdown(stored), encoding="utf-8")
            return gr.update(value=str(path), visible=True)

        export.click(export_conversation, [answers], [export_file], api_visibility="private")

        def add_document(file: str | None, progress: gr.Progress = gr.Progress()):  # type: ignore[no-untyped-def]
            if not file:
                return gr.skip(), gr.skip(), gr.skip()
            name = Path(file).name
            progress(0.1, desc=f"Reading {name}")
            try:
                def tick(event: str, done: int, total: int, path: str) -> None:
                    progress(0.2 + 0.8 * (done / total if total else 1), desc=f"Indexing {name}")
                report = bot.add_file(file, progress=tick)
            except DocumentError as exc:  # name the file as the user knows it, not the upload path
                return f"**Not added:** {html.escape(name)}: {html.escape(exc.problem)}. Nothing was changed.", gr.skip(), gr.skip()
            except AssistantError as exc:
                return f"**Not added:** {html.escape(str(exc))}. Nothing was changed.", gr.skip(), gr.skip()
            status = "updated" if report.updated else "added" if report.added else "unchanged"
            return (f"{html.escape(name)}: **{status}**, {report.chunks_written} passages indexed.",
                    _documents_rows(bot), gr.update(choices=_document_choices(bot)))

        upload.upload(add_document, [upload], [upload_status, docs, to_remove], api_visibility="private").then(
            refresh_corpus_views, None, [picker, examples], api_visibility="private")

        def remove_document(doc_id: str | None):  # type: ignore[no-untyped-def]
            if not doc_id:
                return "Choose a document to remove.", gr.skip(), gr.skip()
            try:
                inside = Path(doc_id).resolve().is_relative_to(settings.corpus_dir.resolve())
                info = bot.remove(doc_id, delete_file=inside)
            except AssistantError as exc:
                return f"**Not removed:** {html.escape(str(exc))}", gr.skip(), gr.skip()
            return (f"Removed {html.escape(info.title)}.", _documents_rows(bot),
                    gr.update(choices=_document_choices(bot), value=None))

        remove.click(remove_document, [to_remove], [upload_status, docs, to_remove], api_visibility="private").then(
            refresh_corpus_views, None, [picker, examples], api_visibility="private")

        # Stable, documented endpoints for gradio_client. Their JSON has no "path" keys (doc_id
        # holds the same source path): gradio_client takes any {"path": str} dict for a file to
        # download, and the README's plain Client(url) would fail with a 403.
        def ask(question: str, k: int = settings.top_k, mode: str = settings.retrieval_mode) -> dict[str, Any]:
            """Answer one question; returns the Answer as JSON (text, citations, passages, abstained)."""
            return without_paths(bot.ask(question, k=int(k), mode=mode).model_dump(mode="json"))  # type: ignore[arg-type]

        def chat(history: list[str], question: str) -> dict[str, Any]:
            """Answer a question after earlier questions (oldest first); returns the Answer as JSON."""
            return without_paths(bot.chat(list(history or []), question).model_dump(mode="json"))

        def documents() -> list[dict[str, Any]]:
            """The indexed documents (doc_id is the source path)."""
            return [without_paths(d.model_dump(mode="json")) for d in bot.documents()]

        gr.api(clear_errors(ask), api_name="ask")
        gr.api(clear_errors(chat), api_name="chat")
        gr.api(clear_errors(documents), api_name="documents")
    demo.queue(default_concurrency_limit=settings.concurrency)
    return demo


def theme() -> gr.themes.Base:
    """A theme with system fonts only: nothing is fetched from font CDNs."""
    return gr.themes.Soft(font=["system-ui", "-apple-system", "Segoe UI", "Roboto", "sans-serif"],
                          font_mono=["ui-monospace", "SFMono-Regular", "Menlo", "monospace"])


def create_app(bot: Assistant) -> FastAPI:
    """FastAPI app with the JSON API under /api and the chat UI at /."""
    app = FastAPI(title="Analyst assistant", description="Chat UI at /, JSON API under /api.")
    app.include_router(api_router(bot), prefix="/api")
    app.include_router(openai_router(bot))  # /v1: the OpenAI-compatible chat endpoint
    add_error_handlers(app, bot.settings, also_limit=GRADIO_EVENTS)
    auth = tuple(bot.settings.auth.split(":", 1)) if bot.settings.auth else None
    return gr.mount_gradio_app(app, build_ui(bot), path="/", auth=auth, theme=theme(), css=CSS, head=HEAD,
                               footer_links=["api"], ssr_mode=False, server_name=bot.settings.host,
                               server_port=bot.settings.port)


def launch(bot: Assistant) -> None:
    import uvicorn

    from .limits import require_login_to_expose

    settings = bot.settings
    warning = require_login_to_expose(settings.host, settings)  # refuses open binding without a login
    if warning:
        print(warning, file=sys.stderr)
    bot.documents()  # open the store (and fail early) before serving
    _ = bot.embedder.model  # load the model once, before the first question
    print(f"Analyst assistant on http://{settings.host}:{settings.port}  (API docs at /docs)")
    uvicorn.run(create_app(bot), host=settings.host, port=settings.port, log_level="warning")
