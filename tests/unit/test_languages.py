"""Other languages without rendering: scripts, fonts per script, CJK line breaking, language
options, the planner's language, voices per language, translation replies, dub placement."""

from __future__ import annotations

import re

import pytest
from langchain_core.messages import AIMessage

from reelgraph.errors import InvalidInput
from reelgraph.workers.engine import scripts
from reelgraph.workers.engine.captions import Word, caption_texts, split_lines
from reelgraph.workers.engine.captions_ass import word_family
from reelgraph.workers.engine.captions_look import PRESETS
from tests.fakes import ScriptedChatModel

SAMPLES = {
    "latin": "Tiếng Việt Straße",
    "cyrillic": "Привет мир",
    "greek": "Γειά σου κόσμε",
    "arabic": "مرحبا بالعالم",
    "hebrew": "שלום עולם",
    "devanagari": "नमस्ते दुनिया",
    "cjk": "東京は日本の首都です。한국어",
}


def _words(text: str, step: float = 0.5) -> list[dict]:
    units = scripts.split_words(text)
    return [{"text": u, "start": i * step, "end": (i + 1) * step} for i, u in enumerate(units)]


@pytest.mark.parametrize(("script", "text"), SAMPLES.items())
def test_each_script_is_detected_and_its_font_draws_every_character(script, text) -> None:
    from reelgraph.workers.engine.fonts import covers, family_cmap

    assert scripts.text_script(text) == script
    family = scripts.SCRIPT_FAMILIES[script]
    assert family_cmap(family), f"{family} is not installed"
    assert covers(family, text)  # no tofu: the chosen font has a glyph for every character


def test_a_word_the_style_font_cannot_draw_gets_its_scripts_font() -> None:
    from reelgraph.workers.engine.fonts import covers

    karaoke, bold = PRESETS["karaoke"], PRESETS["bold"]  # Montserrat, Bebas Neue
    assert word_family(Word("hello", 0, 1), karaoke) == "Montserrat"
    assert word_family(Word("Привет", 0, 1), karaoke) == "Montserrat"  # Montserrat has Cyrillic
    assert not covers("Bebas Neue", "ПРИВЕТ")
    assert word_family(Word("Привет", 0, 1), bold) == "Noto Sans"
    assert word_family(Word("日本", 0, 1), karaoke) == "Noto Sans CJK JP"
    assert word_family(Word("שלום", 0, 1), karaoke) == "Noto Sans Hebrew"
    ass = caption_texts(_words("Tokyo 東京"), style="karaoke", width=1080, height=1920)["ass"]
    sizes = dict(re.findall(r"\{\\fn([^\\]+)\\b1\\fs(\d+)\\1c", ass))
    assert set(sizes) == {"Montserrat", "Noto Sans CJK JP"}
    assert int(sizes["Montserrat"]) == 84  # the karaoke size at 1080x1920
    assert int(sizes["Noto Sans CJK JP"]) == round(84 * 1.448 / 1.562)  # same letter size
    plain = caption_texts(_words("just English"), style="karaoke", width=1080, height=1920)
    assert "\\fn" not in plain["ass"]  # Latin captions are written as before


def test_cjk_splits_between_characters_keeping_punctuation_rules() -> None:
    units = scripts.split_units("「東京」は日本の首都です。Python3を")
    assert units == [
        "「東",
        "京」",
        "は",
        "日",
        "本",
        "の",
        "首",
        "都",
        "で",
        "す。",
        "Python3",
        "を",
    ]
    assert scripts.split_units("hello,") == ["hello,"]
    assert scripts.join_words(["東", "京", "Python", "3", "を"]) == "東京 Python 3を"
    assert scripts.display_width("日本ab") == 6
    for unit in units[1:]:  # no line starts with closing punctuation or a small kana
        assert unit[0] not in scripts.NO_BREAK_BEFORE
    for unit in units[:-1]:  # none ends with opening punctuation
        assert unit[-1] not in scripts.NO_BREAK_AFTER


def test_cjk_captions_have_no_spaces_and_break_lines_by_width() -> None:
    text = "東京は日本の首都です。大阪は大きい都市です。"
    words = [Word(w["text"], w["start"], w["end"]) for w in _words(text, 0.2)]
    lines = split_lines(words, 12)  # 12 Latin characters = 6 CJK characters per line
    assert all(sum(scripts.display_width(w.text) for w in line) <= 12 for line in lines)
    srt = caption_texts(_words(text, 0.2), style="clean", width=1080, height=1920)["srt"]
    cues = [b.split("\n", 2)[2] for b in srt.strip().split("\n\n")]
    assert "".join(c.replace("\n", "") for c in cues) == text  # nothing lost, no spaces added
    assert " " not in "".join(cues)


def test_rtl_words_stay_in_spoken_order_for_libass() -> None:
    ass = caption_texts(_words("שלום עולם יפה"), style="karaoke", width=1080, height=1920)["ass"]
    first = next(ln for ln in ass.splitlines() if ln.startswith("Dialogue:"))
    shown = re.sub(r"\{[^}]*\}", "", first.split(",,", 1)[1].split(",", 4)[-1])
    assert shown == "שלום עולם יפה"  # logical order; libass (fribidi) lays it right to left
    assert "\\1c&H0000D4FF" in first.split("שלום")[0]  # the first spoken word is highlighted
    style = next(ln for ln in ass.splitlines() if ln.startswith("Style:"))
    assert style.endswith(",-1")  # libass detects the base direction: right to left
    english = caption_texts(_words("one two"), style="karaoke", width=1080, height=1920)["ass"]
    assert next(ln for ln in english.splitlines() if ln.startswith("Style:")).endswith(",1")


def test_sentences_split_in_any_script() -> None:
    from reelgraph.nodes.offline_planner import group_scenes, plan_offline, split_sentences

    assert split_sentences("Привет. Как дела? Хорошо.") == ["Привет.", "Как дела?", "Хорошо."]
    assert split_sentences("東京です。大阪です！") == ["東京です。", "大阪です！"]
    assert split_sentences("Hello there. it goes on. Next one") == [
        "Hello there. it goes on.",
        "Next one",
    ]
    long_ja = "東京は日本の首都です。" * 8
    scenes = group_scenes(long_ja)
    assert len(scenes) > 1 and "".join(scenes) == long_ja
    plan, _ = plan_offline("東京は日本の首都です。大阪は大きい都市です。")
    assert plan.scenes[0].narration.startswith("東京は") and plan.scenes[0].keywords


def test_language_options_are_validated(settings_env) -> None:
    from reelgraph.graph.context import CaptionContext, Context

    assert Context.from_options({"language": "DE"}).language == "de"
    assert Context.from_options({"language": "pt_BR"}).language == "pt-br"
    with pytest.raises(InvalidInput, match="not a language code"):
        Context.from_options({"language": "klingon"})
    with pytest.raises(InvalidInput, match="needs a chat model endpoint"):
        Context.from_options({"translate": "de"})
    with pytest.raises(InvalidInput, match="needs a chat model endpoint"):
        CaptionContext.from_options({"translate": ["fr"]})
    with pytest.raises(InvalidInput, match="Dubbing needs translate"):
        Context.from_options({"dub": True})
    settings_env(OPENAI_BASE_URL="http://127.0.0.1:9/v1")
    ctx = Context.from_options({"translate": "de, FR,de", "dub": True})
    assert ctx.translate == ("de", "fr") and ctx.dub
    assert CaptionContext.from_options({"translate": ["ja"]}).translate == ("ja",)
    with pytest.raises(InvalidInput, match="translate"):
        Context.from_options({"translate": "de,xx"})
    with pytest.raises(InvalidInput, match="at most"):
        Context.from_options({"translate": ",".join(sorted(scripts.LANGUAGES)[:9])})


def test_the_cli_and_the_api_take_the_language_options(settings_env) -> None:
    from reelgraph.app.api.options import CaptionOptions, CreateOptions
    from reelgraph.app.cli import build_parser

    parser = build_parser()
    args = parser.parse_args(["create", "x", "--language", "de", "--translate", "fr,es", "--dub"])
    assert (args.language, args.translate, args.dub) == ("de", "fr,es", True)
    args = parser.parse_args(["caption", "in.mp4", "--translate", "de"])
    assert args.translate == "de" and not args.dub
    opts = CreateOptions.model_validate({"language": "de", "translate": ["fr"], "dub": True})
    assert opts.to_options() == {"language": "de", "translate": ("fr",), "dub": True}
    assert CaptionOptions.model_validate({"translate": "de,fr"}).to_options()["translate"] == (
        "de",
        "fr",
    )
    with pytest.raises(ValueError, match="short name"):
        CreateOptions.model_validate({"dub_voice": "/etc/passwd.onnx"})


def test_the_llm_planner_is_told_the_language() -> None:
    from reelgraph.nodes.llm_planner import build_messages

    german = build_messages("Hunde", None, 20, "de")[-1].content
    assert "German" in german and "(language code de)" in german
    assert "language code" not in build_messages("dogs", None, 20, None)[-1].content
    assert "language code" not in build_messages("dogs", None, 20, "en")[-1].content


def test_the_default_voice_speaks_another_language_through_espeak(tmp_path) -> None:
    from reelgraph.workers.engine import tts

    assert tts.language_voice(None, None).name == "joe"
    assert tts.language_voice("joe", "en-gb").name == "joe"
    de = tts.language_voice("joe", "de")
    assert (de.engine, de.language) == ("espeak-ng", "de")
    voice = tmp_path / "de_DE-test.onnx"
    voice.write_bytes(b"onnx")
    (tmp_path / "de_DE-test.onnx.json").write_text('{"espeak": {"voice": "de"}}')
    own = tts.language_voice(str(voice), "de")
    assert (own.engine, own.language) == ("piper", "de")  # a given voice is used as it is
    joe = tts.resolve_voice("espeak-ng")
    assert tts.narration_key("Hallo", de, 1.0) != tts.narration_key("Hallo", joe, 1.0)
    tts.check_language_voice("de")
    with pytest.raises(ValueError, match="no voice"):
        tts.check_language_voice("qq")
    assert tts.tokenize("東京です。 Hi") == ["東", "京", "で", "す。", "Hi"]


def test_translation_keeps_one_line_per_cue_and_is_cached() -> None:
    from reelgraph.workers.engine.translate import translate_texts

    texts = ["Hello there", "my friend."]
    bad = AIMessage(content="1\tHallo da mein Freund.")  # merged: refused, asked again
    good = AIMessage(content="1\tHallo da\n2\tmein Freund.")
    model = ScriptedChatModel.scripted([bad, good])
    res = translate_texts(texts, model, "Translate into German.")
    assert res == {"texts": ["Hallo da", "mein Freund."], "cache_hit": False}
    assert "1\tHello there\n2\tmy friend." in model.calls[0][1].content
    again = translate_texts(texts, ScriptedChatModel.scripted([]), "Translate into German.")
    assert again == {"texts": ["Hallo da", "mein Freund."], "cache_hit": True}
    twice_bad = ScriptedChatModel.scripted([bad, bad])
    assert translate_texts(texts, twice_bad, "Translate into Dutch.")["texts"] is None


def test_translated_tracks_keep_the_cue_times_and_mux_with_language_tags() -> None:
    from reelgraph.workers.engine.subtitles import Segment, mux_argv, track_texts

    segs = [Segment("Hello there", 0.3, 1.2, 1.0), Segment("my friend.", 1.2, 2.5, 2.1)]
    texts = track_texts(segs, ["東京は日本の首都です", "mein <b>Freund</b>."], 32)
    assert "00:00:00,300 --> 00:00:01,200\n東京は日本の首都です" in texts["srt"]
    assert "00:00:01,200 --> 00:00:02,500\nmein ‹b›Freund‹/b›." in texts["srt"]
    assert texts["vtt"].startswith("WEBVTT") and "mein &lt;b&gt;Freund" in texts["vtt"]
    argv = mux_argv("in.mp4", [("a.srt", "de"), ("b.srt", "ja")], "out.mp4")
    assert argv[argv.index("-c:s") + 1] == "mov_text"
    assert "language=deu" in argv and "language=jpn" in argv and "handler_name=Japanese" in argv


def test_dubbed_clips_are_placed_per_sentence_and_sped_up_within_limits() -> None:
    from reelgraph.workers.engine.dub import MAX_STRETCH, place_clips

    clips = [
        {"duration": 1.0, "words": [{"text": "eins", "start": 0.0, "end": 1.0}]},
        {"duration": 3.0, "words": [{"text": "zwei", "start": 0.0, "end": 3.0}]},
        {"duration": 1.0, "words": [{"text": "drei", "start": 0.0, "end": 1.0}]},
    ]
    placed = place_clips(clips, [(0.5, 2.0), (2.0, 4.0), (4.0, 6.0)], 6.0)
    assert placed["placements"][0] == [0.5, 1.0]  # fits its slot: as spoken
    assert placed["placements"][1] == [2.0, MAX_STRETCH]  # 3 s into 2 s: capped at 1.5x
    assert placed["placements"][2][0] == 4.0  # 2.0 + 3.0 / 1.5 = 4.0: still on time
    assert placed["late"] == 0
    assert [w["start"] for w in placed["words"]] == [0.5, 2.0, 4.0]
    late = place_clips(clips[1:2] + clips[2:], [(0.0, 1.0), (1.0, 3.0)], 3.0)
    assert late["late"] == 1 and late["placements"][1][0] == 2.0  # shifted after the long one


def test_api_jobs_take_the_language_options_and_refuse_translation_without_an_llm(
    settings_env,
) -> None:
    from pydantic import ValidationError

    from reelgraph.app.api.errors import describe_errors
    from reelgraph.app.api.models import JobCreate

    def job(kind: str, source: dict, **options: object) -> JobCreate:
        return JobCreate.model_validate({"kind": kind, "input": source, "options": options})

    prompt, video = {"prompt": "Owls."}, {"video": "https://example.com/v.mp4"}
    assert job("create", prompt, language="de").options.to_options() == {"language": "de"}
    for kind, source in (("create", prompt), ("caption", video)):
        with pytest.raises(ValidationError) as err:
            job(kind, source, translate=["de"])
        assert "needs a chat model endpoint" in describe_errors(err.value.errors())
    settings_env(OPENAI_BASE_URL="http://127.0.0.1:9/v1")
    made = job("caption", video, translate="de,ja", dub=True).options.to_options()
    assert made == {"translate": ("de", "ja"), "dub": True}
    with pytest.raises(ValidationError) as err:
        job("analyze", video, translate=["de"])
    assert "create and caption" in describe_errors(err.value.errors())
