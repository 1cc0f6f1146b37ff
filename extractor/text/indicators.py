"""The indicator of a fact: what it measures, from the phrase before the number or the noun after its measure word.

Phrases are cut at verbs and prepositions (patterns/lexicon/indicators.yaml). `Indicators.of` returns the
indicator and the name of the rule that gave it, and keeps the indicator state of the sentence
(培训教师120人，占比95% takes its base from the fact before).
"""
from __future__ import annotations

import functools

import regex

from .. import data
from ..records import Span
from . import grid
from .layout import Layout, Positions
from .subjects import lexicon as subjects_lexicon
from .subjects import (event_end, level_before, level_in_phrase, level_re, levelled, list_goes_on, respective_list, respectively,
                       sibling_group, without_level)

# Compiled once: the shapes of the text around a phrase.
_HAN, _TWO_HAN, _HAN_RUN, _NOT_HAN = (data.compile(p) for p in (r"\p{Han}", r"\p{Han}{2}", r"\p{Han}+", r"\P{Han}"))
_TITLE_MARKS = data.compile(r"[《》]")
_LIST_MARK = "、"
_TITLED = data.compile(r"《[^《》]+》(?P<after>[^《》]*)$")       # a title and the words after it, to the number


@functools.lru_cache(maxsize=1)
def lexicon() -> dict:
    lex = dict(data.load("lexicon/indicators.yaml"))
    lex["_stop_re"] = data.compile(data.alternation(lex["stoppers"]))
    lex["_noun_stop_re"] = data.compile(data.alternation(lex["noun_stoppers"]))
    lex["_exceptions"] = set(lex["stopper_exceptions"])
    lex["_compounds"] = data.compile(data.alternation(lex["stopper_compounds"]))
    lex["_bare_change"] = data.compile(f"(?:{lex['year_on_year']})?(?:{data.alternation(lex['generic_changes'])})")
    # the patterns read as they stand in the data, each under its own name with a leading _
    lex.update({f"_{k}": data.compile(lex[k]) for k in (
        "comparison", "list_rest", "list_heads", "aside", "score_in_title", "standard_after", "share_of_other",
        "change_filler", "holder", "change_to", "lead_close", "year_item", "rest_lead", "value_joiner", "item_number",
        "per_hundred", "label_predicate", "level_code", "standard_bracket")})
    lex["_purpose"] = data.compile(lex["purpose_after_money"])
    lex["_purpose_head"] = data.compile(lex["purpose_head"])
    lex["_list_split"] = subjects_lexicon()["_level_split"]       # one level list, read by subjects and here
    lex["_level_list"] = subjects_lexicon()["_level_list"]
    lex["_per_unit"] = data.compile(f"(?:{lex['per_unit']})(?:{lex['per_unit_verb']})?$")
    lex["_by_criterion"] = data.compile(f"(?:{lex['by_criterion']})$")
    lex["_rate_end"] = data.compile(f"(?:{lex['rate_end']})$")
    lex["_compared"] = data.compile(f"(?:{lex['compared']})$")
    lex["_unmet"] = data.compile(f"(?:{lex['unmet']})$")
    lex["_baseline"] = data.compile(f"(?:{lex['baseline']})(?:{lex['baseline_bracket']})?$")
    lex["_per_unit_after"] = data.compile(f"^(?:{lex['per_unit_after']})")
    lex["_names_nothing"] = data.compile(f"(?:{data.alternation(lex['names_nothing'])}|\\s)+")
    lex["_rate_rates"] = data.compile(data.alternation(lex["generic_rates"]))
    lex["_change_end"] = data.compile(f"(?:{lex['year_on_year']})?(?:{data.alternation(lex['generic_changes'])})$")
    lex["_number_in_rate"] = data.compile(f"(?P<noun>\\p{{Han}}{{1,8}}?)(?:{data.alternation(lex['generic_rates'])})"
                                           f"(?:{lex['rate_link']})?(?=\\s*\\d)")
    lex["_known"] = sorted((k for k in lex["known"] if len(k) >= 5), key=len, reverse=True)
    lex["_trim_left"] = sorted(lex["trim_left"], key=len, reverse=True)
    lex["_trim_right"] = sorted(lex["trim_right"], key=len, reverse=True)
    # _trim's words by the character a chunk must end (start) with for each, in the order tried; and for each word
    # that may end a chunk, the longer words of `stopper_exceptions` that end with it (均 of 年均, 人均, 生均: it stays)
    lex["_trim_right_by"], lex["_trim_left_by"] = {}, {}
    for w in lex["_trim_right"]:
        lex["_trim_right_by"].setdefault(w[-1], []).append(w)
    for w in lex["_trim_left"]:
        lex["_trim_left_by"].setdefault(w[0], []).append(w)
    lex["_longer_exceptions"] = {w: tuple(x for x in lex["_exceptions"] if len(x) > len(w) and x.endswith(w))
                                 for w in lex["_trim_right"]}
    lex["_qualifiers"] = sorted(lex["threshold_words"], key=len, reverse=True)
    lex["_approx_after"] = sorted(lex["approx_after"], key=len, reverse=True)
    lex["_measured_of"] = sorted(lex["generic_rates"] + lex["generic_changes"], key=len, reverse=True)
    return lex


# A group named alone before a number (中班, 二年级) is at most this long.
SIBLING_MAX = 4


class Indicators:
    """One report's indicator rules; call `of` on the spans in text order."""

    def __init__(self, text: str, layout: Layout, spans, periods):
        self.text, self.layout, self.spans, self.periods = text, layout, spans, periods
        self.prev_ind, self.prev_base, self.prev_sent, self.prev_rule = "", "", -1, ""
        self.label = (-1, "")           # the sentence whose label names its levels' per-head measure, and the measure
        self._span_starts = Positions(spans, key=lambda sp: sp.nstart)
        self._span_ends = Positions(spans, key=lambda sp: sp.nend)
        self._period_starts = Positions(periods, key=lambda p: p.start)
        self._period_ends = Positions(periods, key=lambda p: p.end)

    def of(self, span: Span) -> tuple[str, str]:
        si = self.layout.index("sentences", span.nstart)
        indicator, rule = self._indicator(span, si == self.prev_sent)
        if span.kind != "date":
            self.prev_ind, self.prev_sent, self.prev_rule = indicator, si, rule
            lex = lexicon()
            changed = lex["_change_end"].sub("", indicator)      # 生均…支出增长: the measure changed, as named before
            if changed == indicator or (len(changed) >= 2 and _short(without_level(self.prev_base), lex) != changed):
                self.prev_base = changed
        return indicator, rule

    def _indicator(self, span: Span, same_sentence: bool) -> tuple[str, str]:
        indicator, rule = self._measured(span, same_sentence)
        if span.kind == "date" or rule in STANDARD_RULES:
            return indicator, rule
        # …标准以内（小学0.65、初中0.55）: the standards it is held to, named as what they are standards of (a score in
        # brackets after 评分标准 is a score)
        if span.unit != lexicon()["score_unit"] and bracketed_standard(self.text, span.nstart):
            return indicator, "standard_in_brackets"
        c0 = self.layout.clauses[self.layout.index("clauses", span.nstart)][0]
        standard = held_to_standard(self.text, c0, span.nstart, span.nend)
        if standard:                       # 专任教师与在园幼儿比高于1:15的标准: the standard of what the words name
            return (indicator if indicator.endswith(standard) else indicator + standard), "standard_of_phrase"
        return indicator, rule

    def _measured(self, span: Span, same_sentence: bool) -> tuple[str, str]:
        text, lay, lex = self.text, self.layout, lexicon()
        ci = lay.index("clauses", span.nstart)
        c0, c1 = lay.clauses[ci]
        prev_ind = self.prev_ind
        if span.kind == "date":
            return self._date_indicator(span, c1)
        cell = grid.cell_at(text, span.nstart)
        if cell is not None and _HAN2.search(text, cell.start, span.nstart):
            cell = None                     # 13.6%，骨干教师23.7%: the words before it in its cell name the second
        if cell is not None:                # a table's cell: its row label and column say what it measures
            return (grid.indicator(cell, level_in_phrase()),
                    STANDARD_RULES[0] if grid.is_standard(cell) else "table_cell")
        named = self._named_after(span, c0, c1)
        if named:
            return named
        standard = held_to_standard(text, c0, span.nstart, span.nend)
        if standard and same_sentence and self.prev_base and not self.prev_base.endswith(standard):
            return without_level(self.prev_base) + standard, "standard_of_previous"    # …0.97人，均达到0.9人的标准
        if span.unit == lex["score_unit"] and lex["_score_in_title"].search(text, text.rfind("\n", 0, span.nstart) + 1,
                                                                           span.nstart):
            return lex["full_marks"], "score_of_title"        # 三、学前教育（10分，自评9.5分）: the part's full marks
        rule = "respectively"
        phrase = self._respectively(span, c0)
        at = _before_rate(text, c0, span.nstart, lex)       # 小学每生每年720元: what is measured stands before 每生每年
        if not phrase:
            rule, phrase = "phrase_before", _phrase_before(text, c0, at, self._period_ends, self._span_ends, lex)
        if text.endswith(lex["every"], c0, at) and at == span.nstart:
            rest = self._rest_of_clause(span, c1)       # 各中小学每两周安排…心理健康教育课程: how often that is done
            if rest:
                return rest, "frequency_of_rest"
            phrase = _trim(phrase.removesuffix(lex["every"]), lex)
        moved = (self._change_or_baseline(phrase, at, c0, prev_ind if same_sentence else "")
                 or self._named_elsewhere(span, phrase, at, c0, same_sentence))
        if moved:
            return moved
        if levelled(span) and level_before(text, at):
            phrase = _trim(level_re().sub("", phrase), lex)
            found = self._after_level(span, phrase, at, c0, ci, self._measure_before() if same_sentence else "")
            if found:
                return found
        elif same_sentence and without_level(phrase) != phrase and _abbreviates(phrase, self._measure_before()):
            return without_level(prev_ind), "level_repeats_previous"    # …支出10953元，初中生均13640元
        elif same_sentence and prev_ind and span.kind != "count" and level_re().fullmatch(phrase):
            return without_level(self._measure_before()), "level_takes_previous"   # 小学…60分钟，初中不超过90分钟
        elif without_level(phrase) in lex["per_head_alone"]:
            found = self._per_head_alone(span, ci, same_sentence)
            if found:
                return found
        of_other = lex["_share_of_other"].search(text, c0, at) if span.kind == "percent" else None
        if of_other and len(phrase) < len(of_other.group("whole")):
            part = _tail_phrase(_trim(of_other.group("part"), lex), lex, lex["windows"]["phrase"])
            phrase = part + of_other.group("verb") + of_other.group("other")
            rule = "share_of_other"       # 非在编教师平均工资收入为在编教师的81.2%: A stated as a share of B
        found = self._named_by_nothing(span, phrase, at, c0, c1, ci, same_sentence) if names_nothing(phrase) else None
        return found or self._rate_or_change_of(span, phrase, at, c0, ci, same_sentence) or (phrase, rule)

    def _per_head_alone(self, span: Span, ci: int, same_sentence: bool):
        """(indicator, rule) of 小学生均14530元 after a label (按在校学生人数平均的教育支出：) or after the first of its
        levels in the sentence (…，初中生均19385元): the measure the label names; else None."""
        si = self.layout.index("sentences", span.nstart)
        if self.label[0] == si:
            return self.label[1], "per_head_of_label"
        c0 = self.layout.clauses[ci][0]
        if not self.text[:c0].rstrip(" ").endswith(tuple(lexicon()["label_marks"])):
            return None
        before = self._previous_clause_phrase(span, ci)
        if len(before) < 2:
            return None
        self.label = (si, before)
        return before, "per_head_of_label"

    def _named_after(self, span: Span, c0: int, c1: int):
        """(indicator, rule) of a number that the words after it name: the noun it counts (3所学校, 5镇), what an amount
        paid for, the noun a threshold or a rate's qualifier marks off (45岁以下教师, 360学时培训完成率); else None."""
        text, lex = self.text, lexicon()
        if span.kind == "count" and span.unit in lex["self_counted"]:
            return span.unit, "self_counted"
        counted = next((w for w in lex["self_counted"] if text.startswith(w, span.nend)), "")
        if span.kind == "count" and counted and not _HAN.match(text, span.nend + len(counted)):
            return counted, "self_counted"                # 6个街道、1个镇
        if span.kind == "count" and span.unit in lex["noun_after_units"]:
            noun = _noun_after(text, span.nend, c1, lex)
            if noun:
                return noun, "noun_after_measure"
        if span.kind == "money":
            purpose = self._purpose(span, c0, c1)
            if purpose:
                return purpose, "purpose_after_amount"
        threshold = _threshold_of(text, span.nend, c1, lex) if span.kind != "percent" else ""
        if threshold:
            return threshold, "threshold_of_noun_after"
        in_rate = _in_rate(text, span.nend, lex) if span.kind != "percent" else None
        if in_rate:
            return in_rate.group("noun"), "noun_of_rate_after"     # 360学时培训完成率100%: the training
        if span.kind == "age":
            noun = _noun_after(text, span.nend + (text[span.nend:span.nend + 1] == lex["modifier"]), c1, lex)
            if noun:
                return noun, "age_of_noun_after"                 # 年满3周岁的适龄幼儿, 3至6周岁常住适龄儿童
        return None

    def _named_elsewhere(self, span: Span, phrase: str, at: int, c0: int, same_sentence: bool):
        """(indicator, rule) of a number whose words name a group of the kind the sentence named before (中班96.2%
        after 小班班额达标率100%) or a per-hundred base alone (骨干教师222人，每百名学生拥有1.42人), else None."""
        text, lex, prev_ind = self.text, lexicon(), self.prev_ind
        if phrase and len(phrase) <= SIBLING_MAX:
            group, measure = sibling_group(text, self.layout, self._span_starts, span, c0, at)
            if group == phrase and len(_trim(measure, lex)) >= 2:
                return _trim(measure, lex), "measure_of_sibling_group"
        if same_sentence and prev_ind and lex["_per_hundred"].search(phrase):
            counted = without_level(prev_ind)
            counted = counted[counted.index(phrase) + len(phrase):] if phrase in counted else counted
            return phrase + _holder_cut(counted, lex), "per_hundred_of_previous"
        return None

    def _named_by_nothing(self, span: Span, phrase: str, at: int, c0: int, c1: int, ci: int, same_sentence: bool):
        """(indicator, rule) of a number whose words name nothing (和每天, 连续, 标准发放): a further value of a list,
        what the rest of its clause does, what the sentence measured before, or the clause before names; else None."""
        prev_ind = self.prev_ind if same_sentence else ""
        if prev_ind and self._joined_to_previous(span, c0):
            carried = self.prev_rule in STANDARD_RULES + BASELINE_RULES   # 低于0.50和0.45的标准: standards both
            return prev_ind, (self.prev_rule if carried else "list_continues_previous")   # 720元、920元标准足额拨付
        rest = self._rest_of_clause(span, c1)
        if rest:
            return rest, "rest_of_clause"
        if prev_ind:      # 2022年教育支出5000万元，2023年为5500万元
            return prev_ind, "clause_continues_previous"
        if (not phrase and at < span.nstart) or phrase:     # 落实…补助政策，按学校偏远程度每人每月发放300元: a rate
            before = self._previous_clause_phrase(span, ci)     # alone; …毛入园率呈下降趋势，2021年为86.2%
            if before:
                return before, "rate_of_clause_before"
        elif self.text[:c0].rstrip(" ").endswith(tuple(lexicon()["label_marks"])):
            before = self._previous_clause_phrase(span, ci)     # 1.学前三年毛入园率：94.6%: the label before the colon
            if before:
                return before, "label_before_colon"
        return None

    def _rate_or_change_of(self, span: Span, phrase: str, at: int, c0: int, ci: int, same_sentence: bool):
        """(indicator, rule) of a share or a change named alone (占比, 增长) of what the sentence or clause named before
        it, else None."""
        lex = lexicon()
        prev_ind, prev_base = self.prev_ind, self.prev_base
        if phrase in lex["generic_rates"] or (phrase.endswith(tuple(lex["generic_rates"])) and len(phrase) <= 3):
            base = (prev_ind if same_sentence and prev_ind else "") or self._previous_clause_phrase(span, ci)
            base = lex["_rate_end"].sub("", base) if len(lex["_rate_end"].sub("", base)) >= 2 else base
            if base and len(base) <= lex["windows"]["base"]:
                return base + phrase, "generic_rate_base"
        if span.kind != "percent" or not lex["_bare_change"].fullmatch(phrase):
            return None
        if same_sentence and prev_base:
            return _short(without_level(prev_base), lex) + phrase, "generic_change_base"
        base = self._named_before_levels(c0, at) or self._previous_clause_phrase(span, ci)
        if len(base) >= 2:       # …教育支出中，幼儿园、初中分别比上年增长3.26%、3.98%: the change of what was named
            return _short(without_level(base), lex) + phrase, "change_of_named_before"
        return None

    def _measure_before(self) -> str:
        """What the number before measures, or, when that was a change of it (…增长3.1%), the measure changed."""
        changed = any(self.prev_ind.endswith(w) for w in lexicon()["generic_changes"])
        return self.prev_base if changed and self.prev_base else self.prev_ind

    def _change_or_baseline(self, phrase: str, at: int, c0: int, prev_ind: str):
        """(indicator, rule) of the new value of a change (由86.4%提高到88.9%: 88.9% measures what 86.4% does) or of a
        baseline (上年为93128万元, 较上年7.61亿元, 由上年的86.4%): the measure the sentence names before, else None."""
        lex = lexicon()
        between = self.text[_after_spans(self._span_ends, c0, at):at].strip("，,、 ")
        if prev_ind and lex["_change_to"].fullmatch(between):
            return prev_ind, "change_to_previous"
        m = lex["_baseline"].search(self.text, c0, at)
        if not m or m.start() < _after_spans(self._span_ends, c0, at):
            return None
        before = _phrase_before(self.text, c0, m.start(), self._period_ends, self._span_ends, lex)
        if len(level_re().sub("", before)) >= 2:
            return before, "baseline_of_phrase"
        if before:
            return None                      # 初中由14392元: a level, read as any level before a number
        return (prev_ind, "baseline_of_previous") if prev_ind else None

    def _after_level(self, span: Span, phrase: str, at: int, c0: int, ci: int, prev_ind: str):
        """(indicator, rule) of a number right after a school level (初中为0.38, 小学每生每年720元) when the words
        between the level and the number do not name it; else None."""
        base = without_level(prev_ind)
        if len(phrase) >= 2 and _abbreviates(phrase, prev_ind):
            return base, "level_repeats_previous"             # 小学生均…支出10953元，初中生均13640元
        if len(phrase) >= 2:
            return None
        label = self._label_clause_before(span, ci)
        if label and base and label.endswith(base) and len(label) > len(base):
            return label, "level_under_label"     # 按在校学生人数平均的一般公共预算教育支出，小学11246元: the clause before
        #                                           names, more narrowly than the measure before it, each level's figure
        if prev_ind:
            return base, "level_takes_previous"               # 初中为0.38 after 小学…系数为0.42
        lev = level_re().search(self.text, max(c0, at - 8), at)
        before = _phrase_before(self.text, c0, lev.start(), self._period_ends, self._span_ends, lexicon()) \
            if lev else ""
        if len(before) >= 2:
            return before, "level_after_phrase"               # 生均公用经费基准定额为小学每生每年800元
        before = self._previous_clause_phrase(span, ci)
        if not before and self._title_before(span):
            return self._title_before(span), "level_takes_title_before"     # 5.生均体育运动场馆面积。小学10.72平方米
        return before, "level_takes_clause_before"  # 每百名学生拥有…教师数：小学4.6人

    def _named_before_levels(self, c0: int, at: int) -> str:
        """The measure named before a list of levels in the clause (…教育支出小学、初中分别较上年增长), else ""."""
        lex = lexicon()
        levels = lex["_level_list"].search(self.text, c0, at)
        if not levels or levels.start() == c0:
            return ""
        return _phrase_before(self.text, c0, levels.start(), self._period_ends, self._span_ends, lex)

    def _title_before(self, span: Span) -> str:
        """The sentence right before, when it is a measure's name alone (5.生均体育运动场馆面积。): no number, no verb."""
        lay, lex = self.layout, lexicon()
        si = lay.index("sentences", span.nstart)
        if si == 0:
            return ""
        q0, q1 = lay.sentences[si - 1]
        title = _trim(lex["_item_number"].sub("", self.text[q0:q1].strip()), lex)
        if (self._span_starts.within(q0, q1) or not 2 <= len(title) <= lex["windows"]["phrase"]
                or _NOT_HAN.search(title) or _stopper_hits(title, lex)):
            return ""
        return title

    def _joined_to_previous(self, span: Span, c0: int) -> bool:
        """Whether the number follows the clause's number before it with only a list joiner between
        (720元、920元, 300元至600元, 51至55人): a further value of the same measure."""
        before = [sp for sp in self._span_ends.within(c0, span.nstart, closed=True) if sp.nstart < span.nstart]
        if not before or before[-1].kind == "date":
            return False
        return bool(lexicon()["_value_joiner"].fullmatch(self.text, before[-1].nend, span.nstart))

    def _label_clause_before(self, span: Span, ci: int) -> str:
        """The measure a clause of words alone names right before the clause a level's figure opens, in its sentence."""
        if ci == 0 or self._span_starts.within(*self.layout.clauses[ci - 1]):
            return ""                   # a clause with a figure of its own names that figure
        phrase = self._previous_clause_phrase(span, ci)     # "" for a clause of another sentence
        return phrase if len(phrase) >= lexicon()["windows"]["label_min"] else ""

    def _previous_clause_phrase(self, span: Span, ci: int) -> str:
        """The phrase that ends the clause before, when it is in the same sentence (校医或保健教师，配备率…)."""
        lay = self.layout
        if ci == 0 or lay.clauses[ci - 1][1] <= lay.sentences[lay.index("sentences", span.nstart)][0]:
            return ""
        q0, q1 = lay.clauses[ci - 1]
        lex = lexicon()
        said = lex["_label_predicate"].search(self.text, q0, q1)       # …教育支出均有增长：小学由…
        return _phrase_before(self.text, q0, said.start() if said else q1 - 1, self._period_ends, self._span_ends, lex)

    def _respectively(self, span: Span, c0: int) -> str:
        """城镇、农村居民人均可支配收入分别为6.8万元、3.6万元: the i-th number takes the i-th name."""
        text, lex = self.text, lexicon()
        m, listed = respective_list(text, self._span_starts, c0, span.nstart, span.nstart)
        if not listed:
            return ""
        listed_text = _trim(text[_after_spans(self._span_ends, c0, m.start()):m.start()], lex)
        if not _HAN.search(lex["_year_item"].sub("", listed_text)):
            listed_text = self._earlier_list(c0) or listed_text     # …分别为9846元、…，2023年依次为9512元、…
        levels = lex["_level_list"].search(listed_text)
        if levels and not list_goes_on(listed_text, levels.start(), levels.end(), lex["_list_split"]):
            # 小学、初中每百名学生拥有体育、艺术专任教师数分别为…: each level's value of the name after them
            shared = _trim(lex["_aside"].sub("", listed_text[levels.end():]), lex)     # 初中（均不含寄宿制学校）…
            if len(shared) < 2:
                return ""
            shared = _tail_phrase(shared, lex, lex["windows"]["phrase"])
            items = lex["_list_split"].split(levels.group())
            k = len(listed) - 1
            return items[k] + shared if k < len(items) else shared
        names = _names_of(listed_text, self._list_length(span))
        unyeared = [lex["_year_item"].sub("", n) for n in names]
        if any(not _HAN.search(n) for n in unyeared):    # 近视率2022年、2023年、2024年分别为: the years' values of one name
            named = [_trim(n, lex) for n in unyeared if _HAN.search(n)]
            return _tail_phrase(named[0], lex, lex["windows"]["phrase"]) if len(named) == 1 else ""
        if len(names) < 2:
            return ""
        cap = lex["windows"]["phrase"]
        last = _tail_phrase(names[-1], lex, cap)
        heads = [_tail_phrase(n, lex, cap) for n in names[:-1]]
        k = len(listed) - 1
        if k >= len(names):
            return ""
        if k == len(names) - 1:
            return last
        if heads[k].endswith(tuple(lex["whole_name_ends"])):
            return heads[k]         # 学前三年毛入园率、九年义务教育巩固率、高中阶段毛入学率分别…: each item a whole name
        return heads[k] + _shared_part(last, heads, lex)

    def _list_length(self, span: Span) -> int:
        """How many values the list holding the span gives (…分别为6.58亿元、0.42亿元和0.31亿元: 3)."""
        lay = self.layout
        c0, c1 = lay.clauses[lay.index("clauses", span.nstart)]
        return len(respective_list(self.text, self._span_starts, c0, span.nstart, c1)[1])

    def _earlier_list(self, c0: int) -> str:
        """The names before the sentence's previous list (幼儿园、小学…生均…支出 of its 分别为): a list that names
        nothing of its own but its year lists the same things."""
        lay, text, lex = self.layout, self.text, lexicon()
        s0 = lay.sentences[lay.index("sentences", c0)][0]
        m = None
        for m in respectively().finditer(text, s0, c0):
            pass
        if m is None:
            return ""
        q0 = lay.clauses[lay.index("clauses", m.start())][0]
        return _trim(text[_after_spans(self._span_ends, q0, m.start()):m.start()], lex)

    def _purpose(self, span: Span, c0: int, c1: int) -> str:
        """What an amount paid for, named after it (1.1万元维修大陆南小学校门前的路灯 → 维修路灯), where the phrase
        before it names nothing of its own."""
        text, lex = self.text, lexicon()
        lead = text[_after_spans(self._span_ends, c0, span.nstart):span.nstart].strip()
        if lead and not lead.endswith(tuple(lex["purpose_lead"])) and text[span.nstart - 1] != lex["list_joiners"][0]:
            return ""
        m = lex["_purpose"].match(text, span.nend, c1)
        if not m:
            return ""
        obj = m.group("object")
        for w in lex["purpose_tail"]:
            obj = obj.removesuffix(w)
        head = obj if m.group("verb") in lex["purpose_projects"] else lex["_purpose_head"].sub("", obj)
        return m.group("verb") + head if len(head) >= 2 else ""

    def _rest_of_clause(self, span: Span, c1: int) -> str:
        """What the rest of the clause does or names, after any further number (每两周…1课时进行心理健康教育辅导)."""
        lex = lexicon()
        # a span that ends by c1 starts by c1
        text = self.text
        start = max([sp.nend for sp in self._span_starts.within(span.nend, c1, closed=True)
                     if sp.nend <= c1 and not _qualifier_at(text, sp.nend, lex)] + [span.nend])   # 无56人以上大班额
        tail = _trim(_tail_phrase(_trim(self.text[start:c1], lex), lex, lex["windows"]["rest_of_clause"]), lex)
        tail = _trim(lex["_rest_lead"].sub("", tail), lex)      # 500元标准给予生均补助, 每三年开展一轮…督导评估
        # the tail after a verb can open with an adverb; words that name nothing (标准发放, 之间) are no tail
        return tail if _HAN.search(tail) and not lex["_names_nothing"].fullmatch(tail) else ""

    def _date_indicator(self, span: Span, c1: int) -> tuple[str, str]:
        text, lex = self.text, lexicon()
        win = lex["windows"]
        line_start = text.rfind("\n", 0, span.nstart) + 1
        line_end = text.find("\n", span.nend)
        line_end = len(text) if line_end < 0 else line_end
        rest = text[span.nend:line_end].strip()
        if not text[line_start:span.nstart].strip() and len(rest) <= win["signoff_rest"]:
            return (rest or lex["signoff"]), "date_on_own_line"     # a date on a line of its own: the sign-off
        end = event_end(text, self.layout, span, c1)
        start = span.nend
        later = self._span_starts.within(span.nend, end)
        if later and "、" in text[span.nend:later[0].nstart] and _TWO_HAN.search(text[later[-1].nend:end]):
            start = later[-1].nend           # the event is named after the last count (四个学科…反馈会)
        elif later:
            end = later[0].nstart
        chunk = text[start:end]
        for p in self._period_starts.within(start, end):
            chunk = chunk.replace(text[p.start:p.end], "")
        chunk = chunk.rstrip("，,；;。：: ")
        tail = _tail_phrase(chunk, lex, win["rest_of_clause"])
        de = lex["modifier"]
        if len(tail) > win["event_name"] and de in tail[:-2]:
            tail = tail[tail.rindex(de, 0, len(tail) - 2) + 1:]
        return tail, "date_event"


def _short(phrase: str, lex) -> str:
    """The short form of a measure a change is named by (按在校学生人数平均的… → 生均…增长)."""
    for long, short in lex["short_forms"].items():
        phrase = phrase.replace(long, short)
    return phrase


# The rules whose number is a standard something is held to, no one's value (metrics links none of them).
STANDARD_RULES = ("table_standard", "standard_of_previous", "standard_of_phrase", "standard_in_brackets")
# The rules whose number is a baseline (上年为93128万元, 由上年的86.4%): an earlier value of what the sentence measures.
BASELINE_RULES = ("baseline_of_phrase", "baseline_of_previous")
# The rules that read a number as the new value of a change after its baseline (由…的16480元调整为…16150元).
CHANGE_TO_RULES = ("change_to_previous",)
# The rules that carry an indicator over from the words before (2023年为5500万元; …分别发放400元、600元): inferred, not
# stated with the number.
CARRIED_RULES = ("list_continues_previous", "clause_continues_previous", "rate_of_clause_before")


def bracketed_standard(text: str, start: int) -> str:
    """The standard word when the number stands in brackets a standard opens (…标准以内（小学0.65、初中0.55）), else ""."""
    lo = max(0, start - 40)
    opened = max(text.rfind("（", lo, start), text.rfind("(", lo, start))
    if opened < 0 or max(text.rfind("）", opened, start), text.rfind(")", opened, start)) >= 0:
        return ""
    m = lexicon()["_standard_bracket"].search(text, max(0, opened - 12), opened + 1)
    return m.group("word") if m else ""


def held_to_standard(text: str, c0: int, start: int, end: int) -> str:
    """The standard word when the number is the standard a comparison before it holds something to (未达到5.8平方米
    的标准, 高于1:15的标准), else ""; 按…980元的标准拨付 states an amount itself."""
    lex = lexicon()
    rest = lex["_list_rest"].match(text, end)          # 分别不高于0.50、0.45的国家标准: each value of the list
    m = lex["_standard_after"].match(text, rest.end() if rest else end)
    if m and lex["_compared"].search(text, c0, start):
        return m.group("word")
    # 梅渡县普惠性幼儿园覆盖率尚未达到80%: what was not reached is the mark, not the figure
    return lex["unmet_word"] if lex["_unmet"].search(text, c0, start) else ""




def _names_of(listed: str, values: int) -> list:
    """The names of a list, split at 、; its last split again at its last 和 (及, 与) where the list gives one value more
    than 、 makes names (一般公共预算教育支出、政府性基金预算安排的教育支出和教育费附加分别为…、…和…)."""
    names = listed.split("、")
    if values == len(names) + 1 and len(names) >= 2:     # one name alone keeps its 及 (生均教学及辅助用房面积)
        head, joiner, tail = _last_joiner(names[-1])
        if joiner and len(_HAN2.findall(head)) and len(_HAN2.findall(tail)):
            names[-1:] = [head, tail]
    return names


def _last_joiner(name: str) -> tuple:
    at = max(name.rfind(j) for j in lexicon()["final_joiners"])
    return (name[:at], name[at], name[at + 1:]) if at > 0 else (name, "", "")


def names_nothing(phrase: str) -> bool:
    """Whether a phrase names no measure: under two characters, a stopper, no word at all, or only words that never
    name one (和每天, 连续, 标准发放, 之间)."""
    lex = lexicon()
    return (len(phrase) < 2 or phrase in lex["stoppers"] or phrase in lex["trim_right"] or not _HAN.search(phrase)
            or bool(lex["_names_nothing"].fullmatch(phrase)))       # 0.386下降到0.326: a figure names nothing


def _abbreviates(phrase: str, prev_ind: str) -> bool:
    """Whether phrase, without the level it names, is the start of the indicator before it (初中生均 after
    小学生均一般公共预算教育支出): the same measure said short for another level."""
    rest, base = without_level(phrase), without_level(prev_ind)
    return bool(prev_ind) and len(rest) >= 2 and base.startswith(rest) and rest != base


def _shared_part(last: str, heads: list, lex) -> str:
    """What the items of a list share, from its last item: after the level it opens with (普通高中|生均公用经费),
    else after as many characters as the longest item before it (农村|居民人均可支配收入)."""
    m = lex["_list_heads"].match(last)
    cut = m.end() if m else max(len(h) for h in heads)
    return last[cut:] if len(last) > cut else ""


def _stopper_hits(chunk: str, lex, stop_re=None) -> list[tuple[int, int]]:
    """(start, end) of stoppers in chunk, skipping characters that belong to a longer word (在校)."""
    hits = []
    exc = lex["_exceptions"]
    inside = [(m.start(), m.end()) for m in lex["_compounds"].finditer(chunk)] if lex["_compounds"] else []
    for m in (stop_re or lex["_stop_re"]).finditer(chunk):
        i = m.start()
        if m.end() - i == 1 and (chunk[max(0, i - 1):i + 1] in exc or chunk[i:i + 2] in exc
                                 or chunk[max(0, i - 2):i + 1] in exc or chunk[i:i + 3] in exc):
            continue
        if any(a <= i and m.end() <= b for a, b in inside):
            continue                         # 培训 of 培训机构, 完成 of 完成时间: a noun, not a verb
        if lex["_rate_rates"].match(chunk, m.end()):
            continue                         # 培训 of 培训完成率: a verb that names the rate
        hits.append((i, m.end()))
    return hits


_HAN2 = data.compile(r"\p{Han}{2}")


def _noun_after(text: str, pos: int, end: int, lex) -> str:
    pos += len(next((w for w in lex["_approx_after"] if text.startswith(w, pos)), ""))     # 1所以上公办中心幼儿园
    code = lex["_level_code"].match(text, pos, end)   # 4个B级指标: a scheme's lettered level before its noun
    m = _HAN_RUN.match(text, code.end() if code else pos, end)
    if not m:
        return ""
    noun = (code.group() if code else "") + m.group()
    hits = _stopper_hits(noun, lex, lex["_noun_stop_re"])
    if hits and hits[0][0] == 0:
        return ""
    if hits:
        noun = noun[:hits[0][0]]
    win = lex["windows"]["noun"]
    if len(noun) > win:         # 村级幼儿园室外…: cut to its window, the noun ends where its last head does, a little beyond
        reach = noun[:win + lex["windows"]["noun_head_reach"]]
        noun = noun[:max((i + len(h) for h in lex["noun_heads"] for i in _find_all(reach, h)), default=win)]
    return noun if len(noun) >= 2 or noun in lex["self_counted"] else ""      # 5个镇建设…: 镇


def _find_all(s: str, w: str):
    i = s.find(w)
    while i >= 0:
        yield i
        i = s.find(w, i + 1)


def _after_spans(span_ends: Positions, c0: int, pos: int, passes=None) -> int:
    """Where the words before pos begin: after the last number of the clause from c0 that ends by pos, but
    for numbers that `passes` says belong to those words (a threshold: 45岁以下教师占比)."""
    return max([sp.nend for sp in span_ends.within(c0, pos, closed=True)
                if sp.nstart < pos and not (passes and passes(sp))] + [c0])


def _qualifier_at(text: str, pos: int, lex) -> str:
    """以下, 以上 … right after a number: the number is a threshold of the words after it (45岁以下教师)."""
    return next((w for w in lex["_qualifiers"] if text.startswith(w, pos)), "")


def _in_rate(text: str, pos: int, lex):
    """The match of a rate right after a number and before the rate's own value (360学时|培训|完成率|100%), or None."""
    m = lex["_number_in_rate"].match(text, pos)
    return m if m and not _stopper_hits(m.group("noun"), lex, lex["_noun_stop_re"]) else None


def _threshold_of(text: str, pos: int, end: int, lex) -> str:
    """The people or things a threshold number marks off (45岁以下教师占比 → 教师), without the share or
    change measured of them; empty when no noun follows the qualifier."""
    word = _qualifier_at(text, pos, lex)
    if not word:
        return ""
    noun = _noun_after(text, pos + len(word), end, lex)
    for suffix in lex["_measured_of"]:
        if noun.endswith(suffix) and len(noun) > len(suffix) + 1:
            return noun[:-len(suffix)]
    return noun


def _before_rate(text: str, c0: int, pos: int, lex) -> int:
    """Where the words before a number end when a rate (每生每年, 按每人每月, 按学校偏远程度每人每月发放) stands
    between them and it."""
    m = lex["_per_unit"].search(text, c0, pos)
    if not m:
        by = lex["_by_criterion"].search(text, c0, pos)    # 补助按照学校偏远程度分四档: the grading, not the measure
        return by.start() if by else pos
    by = lex["_by_criterion"].search(text, c0, m.start())
    return by.start() if by else m.start()


def _phrase_before(text: str, c0: int, pos: int, period_ends: Positions, span_ends: Positions, lex) -> str:
    """`period_ends` and `span_ends`: the report's period mentions and spans by where they end."""
    # Nothing before an earlier number or period in the clause belongs to this one, but a threshold
    # does (45岁以下教师占比60% → 45岁以下教师占比).
    lead = _after_spans(span_ends, c0, pos, lambda sp: _qualifier_at(text, sp.nend, lex) or _in_rate(text, sp.nend, lex))
    rated = [sp for sp in span_ends.within(lead, pos, closed=True) if sp.nstart >= lead and _in_rate(text, sp.nend, lex)]
    lead = rated[-1].nstart if rated else lead       # 教师5年360学时培训完成率: the rate from the number it is of
    start, last = _after_periods(period_ends, c0, pos, lead)
    if last is not None and last.start > lead and len(_trim(text[start:pos], lex)) < 2:
        pos = last.start            # 学前三年毛入园率2021年为89.6%: the name stands before its year
        start, _ = _after_periods(period_ends, c0, pos, lead)
    chunk = lex["_per_unit_after"].sub("", text[start:pos])      # the rate of the number before (720元/生·年、)
    chunk = lex["_lead_close"].sub("", chunk)           # the number before's bracket: （87.2%）提高, 1108人（含…）、
    chunk = lex["_aside"].sub("", lex["_item_number"].sub("", chunk))    # an item's number; finished asides: 幼儿园（7所…）
    head, _, tail = chunk.rpartition("（") if "（" in chunk else chunk.rpartition("(")
    if _ and regex.search(r"[)）]", tail):
        pass                                                       # 村级幼儿园（含幼儿班）: an aside that ends
    elif _ and len(_NOT_HAN.sub("", tail)) < 2:
        chunk = head                                               # 公务员平均工资水平（8.4万元: the words before
    elif _:
        chunk = tail                                               # (公办园 29 所: the words inside
    titled = _TITLED.search(chunk)
    chunk = titled.group() if titled and len(_trim(titled.group("after"), lex)) <= lex["windows"]["after_title"] \
        else _TITLE_MARKS.split(chunk)[-1]
    chunk = _inside_open_quote(chunk)
    chunk = lex["_change_filler"].sub("", lex["_comparison"].sub("", chunk))
    chunk = _trim(chunk, lex)
    phrase = _trim(_tail_phrase(chunk, lex, lex["windows"]["phrase"]), lex)    # …岗前培训|和乡村教师…完成率
    for k in lex["_known"]:
        i = phrase.find(k)
        if i == 0:
            break
        if i > lex["windows"]["lead_in"] and lex["ratio_link"] not in phrase[:i]:
            return phrase[i:]             # …校际间综合差异系数; not 公办园生均公用经费 (a qualifier) nor 非在编…与在编
                                          # 教师平均工资收入之比 (a ratio of two)
    de = lex["modifier"]
    parts = phrase.split(de)
    if len(phrase) > lex["windows"]["long_phrase"] and len(parts) >= 3:
        phrase = de.join(parts[-2:])      # the last modifier and its noun: 民办学校就读的比例
    return _holder_cut(phrase, lex)    # 县职业中专在校生: the school holds the number (its subject), 在校生 measures it


def _holder_cut(phrase: str, lex) -> str:
    """The phrase without a school or centre that holds it (县职业中专在校生 → 在校生)."""
    holder = lex["_holder"].match(phrase)
    return phrase[holder.end():] if holder and len(phrase) - holder.end() >= 2 else phrase


def _after_periods(period_ends: Positions, c0: int, pos: int, start: int) -> tuple:
    """Where the words before pos begin once the periods among them are passed, and the last of those periods."""
    last = None
    for p in period_ends.within(c0, pos, closed=True):
        if p.end <= pos and (last is None or p.end >= last.end):
            last = p
        start = max(start, p.end)
    return start, last


QUOTES = {"“": "”", "「": "」", "『": "』", "‘": "’"}


def _inside_open_quote(chunk: str) -> str:
    """A number inside a quotation (“每天锻炼2小时”) is measured by the quoted words alone; a quotation closed
    before the number (“双减”作业时长) stays part of its phrase."""
    for i in range(len(chunk) - 1, -1, -1):
        close = QUOTES.get(chunk[i])
        if close is not None:
            return chunk if close in chunk[i + 1:] else chunk[i + 1:]
    return chunk


def _trim(chunk: str, lex) -> str:
    """The chunk without the words of trim_right at its end and trim_left at its start, longest first, again and
    again while one goes (a word that ends a longer word of stopper_exceptions stays: 年均)."""
    chunk = chunk.strip("，,；;：:、。 ")
    right, left, longer = lex["_trim_right_by"], lex["_trim_left_by"], lex["_longer_exceptions"]
    changed = True
    while changed and chunk:
        changed = False
        for w in right.get(chunk[-1], ()):
            if chunk.endswith(w) and len(chunk) > len(w) and not any(chunk.endswith(x) for x in longer[w]):
                chunk, changed = chunk[:-len(w)], True
                break
        for w in left.get(chunk[0], ()):
            if chunk.startswith(w) and len(chunk) > len(w):
                chunk, changed = chunk[len(w):], True
                break
    return chunk.strip("，,；;：:、 ")


def _tail_phrase(chunk: str, lex, cap: int) -> str:
    """The words after the last stopper; when that is too short, the stopper phrase itself (已整改)."""
    chunk = chunk.strip("，,；;：:、。 ")
    if not chunk:
        return ""
    hits = [h for h in _stopper_hits(chunk, lex) if h[1] < len(chunk)]
    listed = list(hits)
    while listed and chunk[:listed[-1][0]].endswith(_LIST_MARK) and _HAN.search(chunk[:listed[-1][0]]):
        listed.pop()        # 到学校调研、讲思政课42人次: one number for the actions of a list, counted whole
    if len(chunk) - (listed[-1][1] if listed else 0) <= lex["windows"]["action_list"]:
        hits = listed
    tail = chunk[hits[-1][1]:].strip("，,；;：:、。 ") if hits else chunk
    if len(tail) < 2:
        tail = chunk
    return _capped(tail, cap, lex)


def _capped(tail: str, cap: int, lex) -> str:
    """The last `cap` characters of a phrase, reaching back a few characters to where a word starts (公办园非在编教师
    与…之比, not 办园非在编…): the phrase's start, or after a mark or a joiner."""
    at = len(tail) - cap
    if at <= 0:
        return tail
    for i in range(at, max(at - lex["windows"]["word_back"], 0) - 1, -1):
        if i == 0 or tail[i - 1] in lex["word_edges"]:
            return tail[i:]
    return tail[at:]


def carried_subject(indicator_rule: str, previous, sentence: str):
    """(subject, rule) of the new value of a change whose baseline, right before it in its sentence, names whose it is
    (小学由2023年的16480元调整为2024年的16150元: the 16150元 is 小学's too), else None."""
    baseline = previous.fired.get("indicator") in BASELINE_RULES or previous.fired.get("period") == "baseline_year"
    if indicator_rule not in CHANGE_TO_RULES or not baseline or previous.sentence != sentence or not previous.subject:
        return None
    return previous.subject, "subject_of_baseline"
