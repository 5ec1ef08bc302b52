"""Variable masking: values become <*>, message text stays."""

from __future__ import annotations

import pytest

from warehouse.logs.masking import Masker, mask_message, mask_token


@pytest.mark.parametrize(
    ("token", "masked"),
    [
        ("6725", "<*>"),
        ("-42", "<*>"),
        ("3.14", "<*>"),
        ("0x7fff5fbff8c8", "<*>"),
        ("blk_-6952295868487656571", "<*>"),
        ("10.251.73.220:50010", "<*>"),
        ("[173.234.31.186]", "[<*>]"),
        ("fe80::1ff:fe23:4567:890a", "<*>"),
        ("550e8400-e29b-41d4-a716-446655440000", "<*>"),
        ("/etc/httpd/conf/workers.properties", "<*>"),
        ("https://example.org/a?b=1", "<*>"),
        ("ns.marryaldkfaczcz.com", "<*>"),
        ("uid=0", "uid=<*>"),
        ("user=root", "user=<*>"),
        ("(uid=0)", "(uid=<*>)"),
        ("status=M", "status=M"),
        ("ruser=", "ruser="),
        ("12ms", "<*>"),
        ("Jul", "<*>"),
        ("instruction......0", "instruction......<*>"),
        ("terminating", "terminating"),
        ("workerEnv.init()", "workerEnv.init()"),
        ("-", "-"),
    ],
)
def test_mask_token_replaces_values_and_keeps_words(token: str, masked: str) -> None:
    assert mask_token(token) == masked


def test_units_after_numbers_belong_to_the_value() -> None:
    assert (
        mask_message("estimated size 16.0 B, free 317.5 KB")
        == "estimated size <*> <*>, free <*> <*>"
    )
    assert mask_message("stored as bytes in memory") == "stored as bytes in memory"


def test_word_after_user_is_a_name_but_a_masked_name_does_not_chain() -> None:
    assert mask_message("Invalid user webmaster from 1.2.3.4") == "Invalid user <*> from <*>"
    assert mask_message("invalid user user [preauth]") == "invalid user <*> [preauth]"
    assert mask_message("disconnected by user") == "disconnected by user"


def test_masker_cache_gives_the_same_answer_as_uncached() -> None:
    m = Masker(cache_size=3)
    msg = "Received block blk_123 of size 67108864 from /10.0.0.1"
    first = m.mask(msg)
    assert m.mask(msg) == first == mask_message(msg).split()


def test_function_words_after_user_are_not_names() -> None:
    assert mask_message("user not found") == "user not found"
    assert mask_message("user logged in from 10.0.0.1") == "user logged in from <*>"
    assert mask_message("session opened for user cyrus") == "session opened for user <*>"


def test_month_and_day_names_are_dates_only_when_capitalised() -> None:
    assert mask_message("at Sat Jul  9 12:16:49 2005") == "at <*> <*> <*> <*> <*>"
    assert mask_message("this may take a while") == "this may take a while"


def test_a_bound_glued_to_a_number_and_its_unit_are_one_value() -> None:
    assert mask_message("lifetime <1 sec") == "lifetime <*> <*>"
    assert mask_message("retries >=3 left") == "retries <*> left"
    assert mask_message("a <b and c> d") == "a <b and c> d"


def test_a_unit_after_a_value_opened_by_punctuation_is_part_of_the_value() -> None:
    assert mask_message("12 bytes (1.2 KB) sent") == mask_message("9 bytes (3.4 MB) sent")
    assert mask_message("12 bytes (1.2 KB) sent") == "<*> <*> (<*> <*>) sent"


def test_a_host_and_port_is_a_value_whatever_its_domain() -> None:
    assert mask_token("edge.glacier.tv:30036") == "<*>"
    assert mask_token("api.example.xyz:443,") == "<*>,"


def test_an_acronym_with_one_digit_is_message_text() -> None:
    assert mask_message("open through proxy 10.0.0.1:80 SOCKS5") == "open through proxy <*> SOCKS5"
    assert mask_message("negotiated (HTTP2) with peer") == "negotiated (HTTP2) with peer"
    assert mask_token("ABC12") == "<*>"


def test_a_quoted_name_of_plain_words_is_one_token() -> None:
    assert Masker().mask('held by tag="Living Room" for 3 ms') == [
        "held",
        "by",
        'tag="Living Room"',
        "for",
        "<*>",
        "<*>",
    ]
    assert Masker().mask('set name to "Office"') == ["set", "name", "to", '"Office"']


def test_a_quoted_request_line_is_still_read_word_by_word() -> None:
    assert Masker().mask('1.2.3.4 "GET /a/b HTTP/1.1" 200') == ["<*>", '"GET', "<*>", '<*>"', "<*>"]


def test_a_quoted_field_opening_on_a_value_is_one_variable_whatever_its_length() -> None:
    agent = '"Mozilla/5.0 (X11; Linux x86_64; rv:85.0) Gecko/20100101 Firefox/85.0"'
    assert Masker().mask(f'"GET /a/b HTTP/1.1" 200 "-" {agent}') == [
        '"GET',
        "<*>",
        '<*>"',
        "<*>",
        '"-"',
        '"<*>"',
    ]
    assert Masker().mask('ran "/usr/bin/tar -xf a.tar", exit 0') == ["ran", '"<*>",', "exit", "<*>"]


def test_a_quoted_name_holding_a_digit_is_one_value() -> None:
    assert mask_message('uploading "results 3.zip" now') == 'uploading "<*>" now'
    assert mask_message('uploading "build output.zip" now') == 'uploading "build output.zip" now'


def test_a_bracketed_list_of_any_length_and_any_words_is_one_value() -> None:
    assert mask_message("held by [alpha, beta, gamma] now") == "held by [<*>] now"
    assert mask_message("nodes [n1, n2]: idle") == "nodes [<*>]: idle"
    assert mask_message("flags ('a', 'b') set") == "flags (<*>) set"
    assert mask_message("[preauth] and [Errno 2] stay") == "[preauth] and [Errno <*>] stay"
    assert mask_message("took 5 ms (main, slow path)") == "took <*> <*> (main, slow path)"


def test_a_boolean_bound_to_a_key_is_its_value() -> None:
    assert mask_message("visible=true animate= false") == "visible=<*> animate= <*>"
    assert mask_message("rotation done (animate= true)") == "rotation done (animate= <*>)"
    assert mask_message("returned true for it") == "returned true for it"


def test_a_word_for_no_value_bound_to_a_key_is_its_value() -> None:
    assert mask_message("ws=null, owner=None") == "ws=<*>, owner=<*>"
    assert mask_message("null pointer") == "null pointer"


def test_yes_and_no_after_an_equals_sign_are_values_but_not_elsewhere() -> None:
    assert mask_message("Online = Yes; Retry = no") == "Online = <*>; Retry = <*>"
    assert mask_message("no such file") == "no such file"


def test_a_quoted_name_after_a_name_key_is_masked_with_its_quotes() -> None:
    masker = Masker()
    assert masker.mask('login failed for user "Ana Lima"') == [
        "login",
        "failed",
        "for",
        "user",
        "<*>",
    ]
    assert masker.mask('user "bo", retry') == ["user", "<*>,", "retry"]


def test_an_octal_escape_is_the_character_it_stands_for() -> None:
    assert mask_message(r"part \042alt3\042 state \042down\042") == 'part "<*>" state "down"'
    assert mask_message(r"part \042alt3\042 is") == mask_message('part "alt3" is')


def test_a_list_of_values_in_one_token_is_one_value() -> None:
    assert mask_token("node-[12,15,20-24]") == "node-[<*>]"
    assert mask_token("node-[7]") == "node-[<*>]"
    assert mask_token("segments=5;60;120") == "segments=<*>"


def test_a_bracketed_list_bound_to_a_key_is_one_value() -> None:
    assert mask_message("pools=[alpha, beta, gamma] ok") == "pools=[<*>] ok"
    assert mask_message("pools=[alpha, beta] ok, [gamma, delta]") == "pools=[<*>] ok, [<*>]"


def test_an_object_dump_is_one_value_whatever_its_fields() -> None:
    assert mask_message("state PowerState{screen=1 wake=0 dock=2}, now") == (
        "state PowerState{<*>}, now"
    )
    assert mask_message("send Intent{cmp=org.example.app} to 3") == "send Intent{<*>} to <*>"
    assert mask_message("left Foo{a=1 b=2 open") == "left Foo{a=<*> b=<*> open"


def test_a_windows_path_holding_spaces_is_one_value() -> None:
    masker = Masker()
    for path in (
        "C:\\Program Files\\Git\\bin\\git.exe",
        "C:\\Program Files (x86)\\Windows Kits\\10\\bin\\signtool.exe",
        "D:\\a\\_work\\tools\\pack.exe",
    ):
        assert masker.mask(f"Starting process: {path} now") == [
            "Starting",
            "process:",
            "<*>",
            "now",
        ]
    # a second path is its own value, and what closes the path stays
    assert mask_message("copy C:\\a b\\c.txt to D:\\x y\\z.txt, done") == "copy <*> to <*>, done"


def test_a_number_padded_inside_its_brackets_is_one_value() -> None:
    # a kernel ring buffer's clock is right-aligned: "[    8.5]" and "[12345.5]" are one shape
    for clock in ("[54290.776835]", "[ 8371.910149]", "[    0.000000]"):
        assert mask_message(f"{clock} nfs: server alpha OK") == "[<*>] nfs: server alpha OK"
    assert mask_message("list [ a, b ] kept") == "list [ a, b ] kept"


def test_a_hex_id_without_a_digit_is_still_a_value() -> None:
    assert mask_message("relayout beeefae u0 vis=4") == mask_message("relayout 4e1fa2b u0 vis=4")
    assert mask_message("Intent{aeeecfc: Record{fb2db5b x}}") == "Intent{<*>: Record{<*> x}}"
    # words that only look like hex stay: too short, or of mixed case
    assert mask_message("facade Defaced bead") == "facade Defaced bead"


def test_a_boolean_bound_to_a_key_inside_a_dump_is_a_value() -> None:
    assert mask_message("values info={ac=true, usb=false}") == mask_message(
        "values info={ac=false, usb=false}"
    )


def test_a_missing_value_as_a_formatter_prints_it_is_a_value() -> None:
    # Go's "<nil>", dpkg's "<none>" stand where a value belongs
    assert mask_message("configure libc <none> 2.36") == mask_message("configure libc 2.35 2.36")
    assert mask_message("open <none>, err <nil>") == "open <*>, err <*>"


@pytest.mark.parametrize(
    ("message", "masked"),
    [
        ('peer "::ffff:192.0.2.7", quota 4', 'peer "<*>", quota <*>'),
        ('peer "2001:db8:a::beef", quota 4', 'peer "<*>", quota <*>'),
        ("via ::ffff:198.51.100.20 ok", "via <*> ok"),
        ("token=</ab/Cd9xY> sent", "token=<<*>> sent"),
    ],
)
def test_an_address_inside_quotes_or_brackets_is_one_value(message: str, masked: str) -> None:
    # an IPv4 client mapped into IPv6, and an IPv6 address whose groups hold no digit
    assert mask_message(message) == masked


def test_a_list_in_braces_is_one_value_whatever_its_length() -> None:
    one = mask_message("offer (1 kinds {gamma-sx(4)}) from 192.0.2.1")
    two = mask_message("offer (2 kinds {gamma-sx(4), delta:old-rc(9)}) from 192.0.2.1")
    three = mask_message("offer (3 kinds {a-b(1), c(2), OLD:d-e(3)}) from 192.0.2.1")
    assert one == two == three == "offer (<*> kinds {<*>}) from <*>"
    # a set of one member holding words and a value is a value too
    assert mask_message("offer (1 kinds {OLD:delta-rc(9)}) ok") == "offer (<*> kinds {<*>}) ok"


def test_a_name_of_comma_joined_pairs_is_one_value() -> None:
    assert mask_message('lookup base="ou=staff,o=acme" scope=1') == 'lookup base="<*>" scope=<*>'
    assert mask_message("drop cn=web,ou=hosts,o=acme now") == "drop <*> now"
    # one pair is a key and its value, as before
    assert mask_message("state=open ok") == "state=open ok"


def test_a_label_of_a_word_with_one_digit_joined_to_a_word_names_a_service() -> None:
    # "smtp2-relay:" and "imap-relay:" are two events, not a value and a word; the same shape
    # without the colon is as often a host's name, a value
    assert mask_message("smtp2-relay: accepted from 192.0.2.4") == "smtp2-relay: accepted from <*>"
    assert mask_message("connected to web1-prod port 22") == "connected to <*> port <*>"
    assert mask_message("worker-12 accepted") == "<*> accepted"


def test_a_folder_bound_to_a_key_is_a_value() -> None:
    assert mask_message("mounted prefix=archive/ kind=blob") == "mounted prefix=<*> kind=blob"
    assert mask_message("mounted prefix=/ kind=blob") == "mounted prefix=/ kind=blob"


def test_a_span_between_redaction_marks_is_one_value_whatever_it_holds() -> None:
    message = "proposing command \u2039Put\u203a at \u2039/Table/5/1/\u203912\u203a\u203a"
    assert Masker().mask(message) == [
        "proposing",
        "command",
        "<*>",
        "at",
        "<*>",
    ]
    # spaces and brackets inside the marks are the value's own
    assert mask_message("RPC \u2039Get [/Table/56/1/12,/Min)\u203a to r6 failed") == (
        "RPC <*> to <*> failed"
    )


def test_a_quoted_string_holding_escaped_quotes_is_one_value() -> None:
    one = mask_message('range request "key:\\"/reg/pods/web\\" count_only:true " took 5ms')
    two = mask_message('range request "key:\\"/reg/leases/x\\" " took 7ms')
    assert one == two == 'range request "<*>" took <*>'


def test_a_list_whose_items_hold_parentheses_is_one_value() -> None:
    assert mask_message("add [(n1,s1):1, (n2,s2):2, (n3,s3):3] remove []") == (
        "add [<*>] remove []"
    )


def test_a_rate_of_bytes_after_a_number_is_part_of_the_value() -> None:
    masker = Masker()
    assert masker.mask("read 12 rows, 7.81 KiB/sec.") == masker.mask("read 3 rows, 1.2 MB/s.")


def test_a_list_in_parentheses_glued_to_a_word_is_the_word_and_one_value() -> None:
    assert mask_message("granted SELECT(id, ts, value) ON t") == "granted SELECT(<*>) ON t"
    assert mask_message("granted INSERT(id, ts) ON t") == "granted INSERT(<*>) ON t"


def test_a_bracketed_quoted_phrase_opening_the_message_is_its_text() -> None:
    # the message in brackets first, then its fields: the phrase's words are read one by one
    assert mask_message('["became leader at term 5"] [term=5] [region_id=12]') == (
        '["became leader at term <*>"] [term=<*>] [region_id=<*>]'
    )
    # a quoted name elsewhere is still one token
    assert Masker().mask('device "Living Room TV" on') == ["device", '"Living Room TV"', "on"]
