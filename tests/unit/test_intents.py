"""The offline intent parser: plain-English follow-ups -> typed plan edits (no model)."""

from __future__ import annotations

import pytest

from reelgraph.nodes.intents import parse_message


def opts(**values):
    return {"op": "options", "set": values}


@pytest.mark.parametrize(
    ("text", "ops"),
    [
        # caption look
        ("make the captions yellow", [opts(caption_color="yellow")]),
        ("Captions in red please", [opts(caption_color="red")]),
        ("change the caption colour to #ff00aa", [opts(caption_color="#FF00AA")]),
        ("can the subtitles be white?", [opts(caption_color="white")]),
        ("highlight the spoken word in gold", [opts(highlight_color="gold")]),
        ("use pop captions", [opts(caption_style="pop")]),
        ("caption style clean", [opts(caption_style="clean")]),
        ("switch the captions to the Anton font", [opts(caption_font="Anton")]),
        ("use bebas for the text", [opts(caption_font="Bebas Neue")]),
        ("move the captions to the top", [opts(caption_position="top")]),
        ("captions in the center", [opts(caption_position="middle")]),
        ("caption size 90", [opts(caption_size=90)]),
        ("bigger captions", [{"op": "scale", "field": "caption_size", "factor": 1.25}]),
        ("make the text smaller", [{"op": "scale", "field": "caption_size", "factor": 0.8}]),
        (
            "make the captions yellow and bigger",
            [
                opts(caption_color="yellow"),
                {"op": "scale", "field": "caption_size", "factor": 1.25},
            ],
        ),
        # length
        ("make it 30 seconds", [opts(duration=30.0)]),
        ("I want it 45s long", [opts(duration=45.0)]),
        ("make it one minute", []),
        ("make it 1 minute", [opts(duration=60.0)]),
        ("shorter", [{"op": "length", "factor": 0.8}]),
        ("make it a bit longer", [{"op": "length", "factor": 1.25}]),
        # tone and scenes
        ("make it more dramatic", [{"op": "mood", "mood": "dramatic"}]),
        ("make it sound happier", [{"op": "mood", "mood": "happy"}]),
        (
            "make scene 2 say Their blood is blue, and copper makes it so",
            [
                {
                    "op": "scene_text",
                    "scene": 2,
                    "text": "Their blood is blue, and copper makes it so",
                }
            ],
        ),
        ('scene 1: "Hello there"', [{"op": "scene_text", "scene": 1, "text": "Hello there"}]),
        (
            "change the last scene to Thanks for watching",
            [{"op": "scene_text", "scene": -1, "text": "Thanks for watching"}],
        ),
        (
            "show a lighthouse in scene 3",
            [{"op": "scene_picture", "scene": 3, "query": "a lighthouse"}],
        ),
        (
            "the second scene should show a red bicycle",
            [{"op": "scene_picture", "scene": 2, "query": "a red bicycle"}],
        ),
        ("remove scene 2", [{"op": "remove_scene", "scene": 2}]),
        ("delete the last scene", [{"op": "remove_scene", "scene": -1}]),
        ("drop scene three", [{"op": "remove_scene", "scene": 3}]),
        (
            "add a scene saying Follow for more",
            [{"op": "add_scene", "text": "Follow for more", "at": None}],
        ),
        (
            "add a scene at the start: Did you know?",
            [{"op": "add_scene", "text": "Did you know?", "at": 1}],
        ),
        (
            "add a scene after scene 1 saying Wow",
            [{"op": "add_scene", "text": "Wow", "at": 2}],
        ),
        ("swap scenes 1 and 3", [{"op": "swap_scenes", "a": 1, "b": 3}]),
        ("swap scene 2 with scene 1", [{"op": "swap_scenes", "a": 2, "b": 1}]),
        ("swap the first scene and the last scene", [{"op": "swap_scenes", "a": 1, "b": -1}]),
        ("move scene 3 to the start", [{"op": "move_scene", "scene": 3, "to": 1}]),
        ("move scene 1 to the end", [{"op": "move_scene", "scene": 1, "to": -1}]),
        ("move scene 1 after scene 2", [{"op": "move_scene", "scene": 1, "to": 3}]),
        ("regenerate scene 3", [{"op": "regenerate", "scene": 3}]),
        ("re-roll the second scene", [{"op": "regenerate", "scene": 2}]),
        ("new picture for scene 1", [{"op": "regenerate", "scene": 1}]),
        # music
        ("no music", [opts(music="none")]),
        ("turn the music off", [opts(music="none")]),
        ("remove the music", [opts(music="none")]),
        ("bring the music back", [opts(music="auto")]),
        ("add music", [opts(music="auto")]),
        ("calmer music", [opts(music="calm")]),
        ("use energetic music", [opts(music="energetic")]),
        ("make the music quieter", [{"op": "adjust", "field": "music_volume", "delta": -4.0}]),
        ("turn the music up", [{"op": "adjust", "field": "music_volume", "delta": 4.0}]),
        ("music volume -20 dB", [opts(music_volume=-20.0)]),
        ("music at 50%", [{"op": "music_percent", "percent": 50.0}]),
        # voice
        ("use the espeak-ng voice", [opts(voice="espeak-ng")]),
        ("voice: joe", [opts(voice="joe")]),
        ("speak faster", [{"op": "adjust", "field": "speed", "delta": 0.15}]),
        ("slower narration", [{"op": "adjust", "field": "speed", "delta": -0.15}]),
        # shape
        ("make it square", [{"op": "aspect", "aspect": "1:1"}]),
        ("landscape please", [{"op": "aspect", "aspect": "16:9"}]),
        ("make it 9:16", [{"op": "aspect", "aspect": "9:16"}]),
        # history
        ("undo", [{"op": "undo"}]),
        ("undo that", [{"op": "undo"}]),
        ("go back to version 2", [{"op": "restore", "version": 2}]),
        ("restore v1", [{"op": "restore", "version": 1}]),
    ],
)
def test_phrasings_map_to_edits(text: str, ops: list[dict]) -> None:
    parsed = parse_message(text)
    assert parsed.ops == ops, (text, parsed)


def test_several_edits_in_one_message_and_a_scene_text_at_the_end() -> None:
    parsed = parse_message(
        "Make the captions yellow, the music quieter and make scene 2 say Hello and goodbye."
    )
    assert parsed.ops == [
        opts(caption_color="yellow"),
        {"op": "adjust", "field": "music_volume", "delta": -4.0},
        {"op": "scene_text", "scene": 2, "text": "Hello and goodbye."},
    ]
    assert parsed.unknown == []


def test_an_attached_picture_goes_to_the_named_scene() -> None:
    parsed = parse_message("use this picture for scene 2", attachments=1)
    assert parsed.ops == [{"op": "scene_picture", "scene": 2, "attachment": 0}]
    assert parse_message("use this picture for scene 2", attachments=0).ops == []


@pytest.mark.parametrize(
    "text",
    ["what's the weather like", "hello", "tell me a joke", "", "make it better somehow"],
)
def test_unmappable_messages_give_no_edits(text: str) -> None:
    parsed = parse_message(text)
    assert parsed.ops == []


def test_a_clause_not_understood_is_reported_beside_the_ones_that_are() -> None:
    parsed = parse_message("make the captions yellow and sing a song")
    assert parsed.ops == [opts(caption_color="yellow")]
    assert parsed.unknown == ["sing a song"]
