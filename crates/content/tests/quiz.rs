//! Quizzes: every shipped quiz loads and covers the curriculum, each kind of broken quiz is refused
//! with its file and line, the explorer answers every "what can happen" question, and answers are
//! graded. (The spaced review, which needs no quiz file, is tested in the core.)

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use interleave_content::answers::{answer_key, check, possible_values};
use interleave_content::quizzes::{load_all, load_dir, load_quiz};
use interleave_content::{report, Error};
use interleave_core::learning::grading::{grade, Answer, Graded, QuizResult};
use interleave_core::learning::quiz::{find_question, Kind, Question, Quiz, Topic};

/// The shipped `lessons/` folder, at the top of the workspace.
fn shipped_dir() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../lessons")
}

/// The lesson slugs, read from the front matter of `lessons/*.md`.
fn known_lessons() -> Vec<String> {
    let mut paths: Vec<_> = std::fs::read_dir(shipped_dir())
        .unwrap()
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "md"))
        .collect();
    paths.sort();
    paths
        .iter()
        .filter_map(|p| {
            let text = std::fs::read_to_string(p).unwrap();
            let line = text.lines().find(|l| l.trim_start().starts_with("slug"))?;
            Some(line.split('"').nth(1)?.to_string())
        })
        .collect()
}

fn slugs(known: &[String]) -> Vec<&str> {
    known.iter().map(String::as_str).collect()
}

fn shipped() -> Vec<Quiz> {
    let known = known_lessons();
    load_dir(&shipped_dir().join("quizzes"), &slugs(&known))
        .unwrap_or_else(|errs| panic!("{}", report(&errs)))
}

fn fixture(name: &str) -> (String, String) {
    let path = format!("tests/fixtures/quizzes/{name}");
    let text = std::fs::read_to_string(&path).unwrap();
    (path, text)
}

/// Loads one fixture on its own; it must be refused.
fn refused(name: &str) -> Error {
    let known = known_lessons();
    let (path, text) = fixture(name);
    load_quiz(&path, &text, &slugs(&known)).expect_err("the fixture is broken on purpose")
}

/// Loads one fixture on its own; it must load (only the explorer may find it wrong).
fn accepted(name: &str) -> Quiz {
    let known = known_lessons();
    let (path, text) = fixture(name);
    load_quiz(&path, &text, &slugs(&known)).expect("well formed: only the explorer can tell")
}

/// Loads fixtures as one set; the set must be refused.
fn refused_together(names: &[&str]) -> Vec<Error> {
    let known = known_lessons();
    let sources: Vec<_> = names.iter().map(|n| fixture(n)).collect();
    load_all(&sources, &slugs(&known)).expect_err("the set is broken on purpose")
}

fn question<'a>(quizzes: &'a [Quiz], id: &str) -> &'a Question {
    find_question(quizzes, id).unwrap_or_else(|| panic!("no question `{id}`"))
}

mod shipped {
    use super::*;

    // Every quiz under lessons/quizzes loads; each lesson has exactly one, and there is a final test.
    #[test]
    fn every_quiz_loads() {
        let quizzes = shipped();
        let known = known_lessons();
        let lessons: Vec<&str> = quizzes.iter().filter(|q| !q.is_final()).map(|q| q.lesson.as_str()).collect();
        assert_eq!(lessons, slugs(&known), "one quiz per lesson, in lesson order");
        assert!(quizzes.last().is_some_and(Quiz::is_final), "the final test comes last");
    }

    // Coverage: totals per lesson, kind and topic (printed), against the curriculum's minimums.
    #[test]
    fn coverage_meets_minimums() {
        let quizzes = shipped();
        let lesson_quizzes: Vec<&Quiz> = quizzes.iter().filter(|q| !q.is_final()).collect();
        let mut per_kind: BTreeMap<Kind, usize> = BTreeMap::new();
        let mut per_topic: BTreeMap<Topic, usize> = BTreeMap::new();
        let mut total = 0;
        println!("questions per lesson:");
        for quiz in &lesson_quizzes {
            println!("  {:<28} {:>3}", quiz.lesson, quiz.questions.len());
            assert!(quiz.questions.len() >= 4, "{} has fewer than 4 questions", quiz.file);
            for q in &quiz.questions {
                *per_kind.entry(q.kind).or_default() += 1;
                *per_topic.entry(q.topic).or_default() += 1;
                total += 1;
            }
        }
        println!("  {:<28} {:>3}", "total", total);
        println!("per kind:");
        for kind in Kind::ALL {
            println!("  {:<28} {:>3}", kind.name(), per_kind.get(&kind).copied().unwrap_or(0));
        }
        println!("per topic:");
        for topic in Topic::ALL {
            println!("  {:<28} {:>3}", topic.name(), per_topic.get(&topic).copied().unwrap_or(0));
        }
        let final_test = quizzes.iter().find(|q| q.is_final()).unwrap();
        println!("final test: {} questions", final_test.questions_in(&quizzes).len());

        assert!(total >= 40, "at least 40 questions, found {total}");
        let race_lessons = ["race-conditions", "message-passing", "deadlock-and-starvation"];
        let shared_state = [Topic::Race, Topic::MessagePassing, Topic::Liveness];
        let race: usize = lesson_quizzes
            .iter()
            .filter(|q| race_lessons.contains(&q.lesson.as_str()))
            .flat_map(|q| &q.questions)
            .filter(|q| shared_state.contains(&q.topic))
            .count();
        assert!(race >= 15, "at least 15 race, message-passing and liveness questions in those lessons, found {race}");
        assert!(per_topic[&Topic::ToolChoice] >= 15, "at least 15 tool-choice questions");
        assert!(per_kind[&Kind::Possible] >= 4, "at least 4 `possible` questions");
        for kind in Kind::ALL {
            assert!(per_kind.get(&kind).is_some_and(|&n| n > 0), "no `{}` question", kind.name());
        }
    }

    // The final test resolves every included id and draws on every lesson.
    #[test]
    fn final_test_mixes_every_lesson() {
        let quizzes = shipped();
        let final_test = quizzes.iter().find(|q| q.is_final()).unwrap();
        let asked = final_test.questions_in(&quizzes);
        assert_eq!(asked.len(), final_test.include.len() + final_test.questions.len());
        let owners: BTreeSet<&str> = final_test
            .include
            .iter()
            .map(|id| quizzes.iter().find(|q| q.questions.iter().any(|x| &x.id == id)).unwrap().lesson.as_str())
            .collect();
        assert_eq!(owners.len(), quizzes.len() - 1, "the final test includes questions of every lesson");
    }

    // The final test's mix follows the topic tags: every topic is asked at least twice, and none
    // makes up more than a quarter of the test.
    #[test]
    fn final_test_mixes_every_topic() {
        let quizzes = shipped();
        let final_test = quizzes.iter().find(|q| q.is_final()).unwrap();
        let asked = final_test.questions_in(&quizzes);
        for topic in Topic::ALL {
            let n = asked.iter().filter(|q| q.topic == topic).count();
            println!("final test, {:<16} {n}", topic.name());
            assert!(n >= 2, "the final test asks {n} `{}` question(s); at least 2 wanted", topic.name());
            assert!(4 * n <= asked.len(), "the final test asks {n} `{}` questions of {}: over a quarter", topic.name(), asked.len());
        }
    }

    // The loaded quizzes round-trip through JSON, so build.rs can hand them to the browser, which has no TOML reader.
    #[test]
    fn quizzes_round_trip_through_json() {
        let quizzes = shipped();
        let json = serde_json::to_string(&quizzes).unwrap();
        assert_eq!(serde_json::from_str::<Vec<Quiz>>(&json).unwrap(), quizzes);
    }

    // Every explanation says something of its own rather than repeating its option.
    #[test]
    fn explanations_say_something() {
        for quiz in shipped() {
            for q in &quiz.questions {
                for o in &q.options {
                    assert!(o.explain.len() >= 20, "{}: `{}` has a thin explanation", q.id, o.text);
                    assert_ne!(o.explain.trim(), o.text.trim(), "{}: the explanation repeats the option", q.id);
                }
            }
        }
    }
}

/// The quiz files give nothing away: where an option stands in the file, or how long it is, says
/// nothing about whether it is right (the page also shuffles them, see `display_order` below).
mod no_tells {
    use super::*;

    fn written() -> Vec<Question> {
        shipped().into_iter().flat_map(|q| q.questions).collect()
    }

    fn chars(s: &str) -> usize {
        s.chars().count()
    }

    /// Of the `single` and `scenario` questions, those whose one right option passes `tell`.
    fn share_where(tell: impl Fn(&Question, usize) -> bool) -> (usize, usize, Vec<String>) {
        let questions: Vec<Question> = written().into_iter().filter(|q| matches!(q.kind, Kind::Single | Kind::Scenario)).collect();
        let hits: Vec<String> = questions
            .iter()
            .filter(|q| {
                let right = q.options.iter().position(|o| o.correct == Some(true)).unwrap();
                tell(q, right)
            })
            .map(|q| q.id.clone())
            .collect();
        (hits.len(), questions.len(), hits)
    }

    // The right option is the strictly longest in at most 40 % of single and scenario questions.
    #[test]
    fn the_right_answer_is_not_the_longest() {
        let (n, of, ids) = share_where(|q, right| {
            let len = chars(&q.options[right].text);
            q.options.iter().enumerate().all(|(i, o)| i == right || chars(&o.text) < len)
        });
        println!("right option strictly longest: {n} of {of}: {ids:?}");
        assert!(n * 10 <= of * 4, "the right option is the longest in {n} of {of} questions (over 40 %): {ids:?}");
    }

    // The right option is the shortest in at most 40 % of them too (the opposite tell).
    #[test]
    fn the_right_answer_is_not_the_shortest() {
        let (n, of, ids) = share_where(|q, right| {
            let len = chars(&q.options[right].text);
            q.options.iter().enumerate().all(|(i, o)| i == right || chars(&o.text) > len)
        });
        println!("right option strictly shortest: {n} of {of}: {ids:?}");
        assert!(n * 10 <= of * 4, "the right option is the shortest in {n} of {of} questions (over 40 %): {ids:?}");
    }

    // No position in the file holds the right option in more than 40 % of them.
    #[test]
    fn the_right_answer_has_no_favourite_place() {
        for place in 0..4 {
            let (n, of, ids) = share_where(|_, right| right == place);
            println!("right option at place {}: {n} of {of}", place + 1);
            assert!(n * 10 <= of * 4, "the right option is option {} in {n} of {of} questions: {ids:?}", place + 1);
            let (n, of, ids) = share_where(|q, right| place == 0 && right + 1 == q.options.len());
            assert!(n * 10 <= of * 4, "the right option is the last in {n} of {of} questions: {ids:?}");
        }
    }

    // The right options of `multiple` questions are not simply the first ones (nor the last ones):
    // in at most half of those questions do they fill the first (or last) places.
    #[test]
    fn multiple_choice_keys_are_not_a_prefix() {
        let multiple: Vec<Question> = written().into_iter().filter(|q| q.kind == Kind::Multiple).collect();
        assert!(!multiple.is_empty());
        let prefix = |q: &Question, rev: bool| {
            let mut flags: Vec<bool> = q.options.iter().map(|o| o.correct == Some(true)).collect();
            if rev {
                flags.reverse();
            }
            let k = flags.iter().filter(|&&f| f).count();
            flags[..k].iter().all(|&f| f)
        };
        for rev in [false, true] {
            let ids: Vec<&str> = multiple.iter().filter(|q| prefix(q, rev)).map(|q| q.id.as_str()).collect();
            let which = if rev { "last" } else { "first" };
            println!("multiple: right options are the {which} ones in {} of {}", ids.len(), multiple.len());
            assert!(ids.len() * 2 <= multiple.len(), "right options are the {which} ones in {ids:?}");
        }
        // A `multiple` question whose every option is right (or all but none) teaches nothing by elimination.
        for q in &multiple {
            assert!(q.options.iter().any(|o| o.correct != Some(true)), "{}: every option is right", q.id);
        }
    }

    // "What can happen" questions list their candidate values in numeric order.
    #[test]
    fn possible_values_are_in_numeric_order() {
        for q in written().iter().filter(|q| q.kind == Kind::Possible) {
            let values: Vec<i64> = q.options.iter().map(|o| o.value.unwrap()).collect();
            let mut sorted = values.clone();
            sorted.sort();
            assert_eq!(values, sorted, "{}: values not in numeric order", q.id);
        }
    }
}

/// The order options are shown in: shuffled per attempt and question, stable for one attempt.
mod display {
    use super::*;
    use interleave_core::learning::quiz::display_order;

    // The same seed gives the same order (a reload shows what the learner saw); it is always a
    // permutation of the options; a new seed (taking the quiz again) gives other orders.
    #[test]
    fn stable_for_one_attempt_fresh_for_the_next() {
        let quizzes = shipped();
        let questions: Vec<&Question> = quizzes.iter().flat_map(|q| &q.questions).filter(|q| q.kind != Kind::Possible).collect();
        for q in &questions {
            let order = display_order(q, 7);
            assert_eq!(order, display_order(q, 7), "{}", q.id);
            let mut sorted = order.clone();
            sorted.sort();
            assert_eq!(sorted, (0..q.options.len()).collect::<Vec<_>>(), "{}", q.id);
        }
        let changed = questions.iter().filter(|q| display_order(q, 7) != display_order(q, 8)).count();
        assert!(changed * 2 > questions.len(), "a new attempt reorders only {changed} of {} questions", questions.len());
        // Two questions of one attempt are not shuffled alike.
        let four: Vec<&&Question> = questions.iter().filter(|q| q.options.len() == 4).collect();
        let orders: BTreeSet<Vec<usize>> = four.iter().map(|q| display_order(q, 7)).collect();
        assert!(orders.len() > 4, "questions of one attempt share {} orders", orders.len());
    }

    // The shuffle is the same permutation on every platform: the server renders the quiz page
    // the browser hydrates. `crates/web/tests/wasm_pool.rs` checks the same figure in wasm32.
    #[test]
    fn the_same_order_on_every_platform() {
        assert_eq!(interleave_core::learning::quiz::shuffled(8, 42), [5, 7, 0, 1, 6, 4, 2, 3]);
    }

    // Over many attempts the right option lands on every place about equally often.
    #[test]
    fn the_right_option_lands_anywhere() {
        let quizzes = shipped();
        let q = question(&quizzes, "mp-backpressure");
        let right = q.options.iter().position(|o| o.correct == Some(true)).unwrap();
        let mut places = vec![0usize; q.options.len()];
        for seed in 0..4000u64 {
            let order = display_order(q, seed.wrapping_mul(0x9e37_79b9_7f4a_7c15));
            places[order.iter().position(|&i| i == right).unwrap()] += 1;
        }
        let expected = 4000 / q.options.len();
        for (place, &n) in places.iter().enumerate() {
            assert!(n.abs_diff(expected) * 5 < expected, "place {place}: {n} times, about {expected} expected ({places:?})");
        }
    }

    // A `possible` question's values are shown in numeric order whatever the seed.
    #[test]
    fn possible_values_show_in_numeric_order() {
        let quizzes = shipped();
        for q in quizzes.iter().flat_map(|q| &q.questions).filter(|q| q.kind == Kind::Possible) {
            for seed in [0, 1, u64::MAX] {
                let shown: Vec<i64> = display_order(q, seed).iter().map(|&i| q.options[i].value.unwrap()).collect();
                assert!(shown.windows(2).all(|w| w[0] < w[1]), "{}: {shown:?}", q.id);
            }
        }
    }

    // Options are named by identity: ids map to indices and back, unknown ids are dropped.
    #[test]
    fn options_are_named_by_identity() {
        let quizzes = shipped();
        let q = question(&quizzes, "mp-backpressure");
        let all: BTreeSet<usize> = (0..q.options.len()).collect();
        let ids = q.ids_of(&all);
        assert_eq!(ids.len(), q.options.len());
        assert_eq!(q.indices_of(&ids), all);
        assert_eq!(q.indices_of(&[String::from("no-such-option")]), BTreeSet::new());
        let p = question(&quizzes, "rc-possible-lost-update");
        let two = p.index_of("2").expect("a possible option is named by its value");
        assert_eq!(p.options[two].value, Some(2));
    }
}

mod broken {
    use super::*;

    fn assert_at(e: &Error, file: &str, line: usize, words: &str) {
        assert!(e.file.ends_with(file), "{e}");
        assert_eq!(e.line, line, "{e}");
        assert!(e.message.contains(words), "{e}");
        assert!(e.to_string().starts_with(&format!("{}:{line}: ", e.file)), "{e}");
    }

    /// The one error of a refusal (failing if there are more).
    fn only(errs: Vec<Error>) -> Error {
        assert_eq!(errs.len(), 1, "{errs:?}");
        errs.into_iter().next().expect("one error")
    }

    /// Tests that each load one broken fixture on its own and expect it refused at a line, with
    /// some words in the message: `test_name: "fixture.toml", line, "words", "more words";`.
    macro_rules! refused_at {
        ($($test:ident: $file:literal, $line:literal, $words:literal $(, $more:literal)*;)*) => {
            $(
                #[test]
                fn $test() {
                    let e = refused($file);
                    assert_at(&e, $file, $line, $words);
                    $(assert!(e.message.contains($more), "{e}");)*
                }
            )*
        };
    }

    refused_at! {
        // Malformed TOML is refused at the line of the syntax error.
        malformed_toml: "malformed.toml", 7, "string";
        // A `single` question with two right options is refused at its header.
        single_with_two_correct: "single-two-correct.toml", 4, "exactly one";
        // A `scenario` question with no right option is refused at its own header, not the file's first.
        scenario_without_correct: "scenario-no-correct.toml", 21, "exactly one", "fx-no-correct";
        // A `multiple` question with nothing to pick is refused.
        multiple_without_correct: "multiple-none-correct.toml", 4, "at least one";
        // An option without `explain` is refused at that option's header.
        option_without_explain: "missing-explain.toml", 16, "explain";
        // A question with fewer than two options is refused.
        fewer_than_two_options: "one-option.toml", 4, "at least two options";
        // A question id used twice in one file is refused at the second id.
        duplicate_id_in_one_file: "duplicate-id-same-file.toml", 22, "fx-twice";
        // An unknown lesson slug is refused at the `lesson` line.
        unknown_lesson: "unknown-lesson.toml", 2, "race-condition";
        // A `possible` question may not write its answers: `correct` is refused at its line.
        possible_with_correct_key: "possible-with-correct.toml", 18, "explorer decides";
        // Two options of one question with the same `id` are refused at the second, naming the first.
        duplicate_option_id: "duplicate-option-id.toml", 17, "used twice (first on line 11)";
        // An option without an `id` is refused at that option's header.
        option_without_id: "option-without-id.toml", 17, "no `id`", "fx-no-option-id";
        // An empty prompt is refused at the prompt's line.
        empty_prompt: "empty-prompt.toml", 8, "prompt";
        // A misspelt or unknown key is refused at its line, naming it.
        unknown_key: "unknown-key.toml", 9, "difficulty";
    }

    // A question id already used by another file is refused at its line, naming the other file.
    #[test]
    fn duplicate_id_across_files() {
        let e = only(refused_together(&["valid.toml", "duplicate-id.toml"]));
        assert_at(&e, "duplicate-id.toml", 23, "fx-lost-update");
        assert!(e.message.contains("valid.toml"), "{e}");
    }

    // A second quiz for the same lesson is refused at its `lesson` line, naming the first.
    #[test]
    fn two_quizzes_for_one_lesson() {
        let known = known_lessons();
        let (path, text) = fixture("valid.toml");
        let twin = ("twin.toml".to_string(), text.replace("fx-lost-update", "fx-twin"));
        let e = only(load_all(&[(path, text), twin], &slugs(&known)).unwrap_err());
        assert_at(&e, "twin.toml", 2, "already has a quiz");
    }

    // A final test including an id no quiz defines is refused at that id's line.
    #[test]
    fn final_with_unknown_id() {
        let e = only(refused_together(&["valid.toml", "final-unknown-id.toml"]));
        assert_at(&e, "final-unknown-id.toml", 5, "fx-no-such-question");
    }

    // The valid fixture loads, alone and with the final test that includes its question.
    #[test]
    fn valid_fixture_loads() {
        let known = known_lessons();
        let (path, text) = fixture("valid.toml");
        let quiz = load_quiz(&path, &text, &slugs(&known)).unwrap();
        assert_eq!((quiz.questions.len(), quiz.questions[0].line), (1, 5));
        let final_text = "lesson = \"final\"\ntitle = \"F\"\ninclude = [\"fx-lost-update\"]\n".to_string();
        let all = load_all(&[(path, text), ("final.toml".into(), final_text)], &slugs(&known)).unwrap();
        assert_eq!(all[1].questions_in(&all)[0].id, "fx-lost-update");
    }

    // A possible value the program can reach but no option offers makes the question unanswerable.
    #[test]
    fn possible_value_not_offered() {
        let quiz = accepted("possible-unoffered.toml");
        let e = only(check(&[quiz]).unwrap_err());
        assert_at(&e, "possible-unoffered.toml", 5, "x = 1");
    }

    // A program that does not parse is reported at the quiz file's line of the faulty program line.
    #[test]
    fn possible_program_parse_error() {
        let quiz = accepted("possible-bad-program.toml");
        assert_eq!(quiz.questions[0].program.as_ref().unwrap().first_line, 11);
        let errs = check(&[quiz]).unwrap_err();
        assert_at(&errs[0], "possible-bad-program.toml", 14, "program");
    }
}

mod possible {
    use super::*;

    // Every `possible` question explores cleanly, has a non-empty answer, and offers every value of it.
    #[test]
    fn every_possible_question_is_answerable() {
        let quizzes = shipped();
        if let Err(errs) = check(&quizzes) {
            panic!("{}", report(&errs));
        }
        for q in quizzes.iter().flat_map(|q| &q.questions).filter(|q| q.kind == Kind::Possible) {
            let values = possible_values(q).unwrap();
            let offered: BTreeSet<i64> = q.options.iter().filter_map(|o| o.value).collect();
            println!("{:<34} possible {:?} of offered {:?}", q.id, values, offered);
            assert!(!values.is_empty(), "{}: nothing is possible", q.id);
            assert!(values.is_subset(&offered), "{}: {:?} not all offered in {:?}", q.id, values, offered);
            assert!(values.len() < offered.len(), "{}: every option is right, nothing to think about", q.id);
        }
    }

    // The computed answers are the ones the explanations were written for.
    #[test]
    fn computed_answers_match_the_explanations() {
        let quizzes = shipped();
        let expect: &[(&str, &[i64])] = &[
            ("rc-possible-lost-update", &[1, 2]),
            ("rc-possible-three-threads", &[1, 2, 3]),
            ("rc-possible-check-then-act", &[-60, 20]),
            ("rc-possible-with-lock", &[2]),
            ("rc-possible-order-still-matters", &[3, 4]),
            ("rc-possible-add-and-double", &[2, 3, 4]),
            ("mp-possible-keeps-writing", &[7, 42]),
            ("ds-possible-two-locks", &[2]),
            ("final-possible-half-atomic", &[2, 3]),
            ("mo-possible-store-buffering", &[0, 1, 2]),
            ("mo-possible-one-fence", &[0, 1, 2]),
            ("mo-possible-locked-writes", &[1, 2]),
            ("mo-possible-message-passing", &[-1, 42]),
            ("mo-possible-peterson-fence-between", &[1, 2]),
        ];
        for (id, values) in expect {
            let got = possible_values(question(&quizzes, id)).unwrap();
            assert_eq!(got, values.iter().copied().collect::<BTreeSet<_>>(), "{id}");
        }
    }

    // The answer key of a `possible` question is the indices of its reachable values.
    #[test]
    fn answer_key_maps_values_to_options() {
        let quizzes = shipped();
        let q = question(&quizzes, "rc-possible-lost-update");
        assert!(q.key().is_empty(), "the file alone says nothing about which values are right");
        assert_eq!(answer_key(q).unwrap(), BTreeSet::from([1, 2]), "values 1 and 2 are options 1 and 2");
    }

    // The content step writes the explorer's answers into the options, once, at build time: then
    // every question's own key is its answer key, and grading needs no explorer.
    #[test]
    fn build_time_keys_equal_the_explorer() {
        let mut quizzes = shipped();
        let before: Vec<BTreeSet<usize>> = quizzes.iter().flat_map(|q| &q.questions).map(|q| answer_key(q).unwrap()).collect();
        interleave_content::answers::fill_keys(&mut quizzes).unwrap();
        let after: Vec<BTreeSet<usize>> = quizzes.iter().flat_map(|q| &q.questions).map(|q| q.key()).collect();
        assert_eq!(before, after);
        assert!(quizzes.iter().flat_map(|q| &q.questions).all(|q| !q.key().is_empty()));
    }

    // The whole content step, as the web crate's build script runs it, succeeds on the shipped
    // files and hands over every lesson and quiz.
    #[test]
    fn the_content_step_builds() {
        let content = interleave_content::build(&shipped_dir()).unwrap_or_else(|e| panic!("{}", report(&e)));
        assert_eq!(content.lessons.len(), known_lessons().len());
        assert_eq!(content.quizzes.len(), content.lessons.len() + 1);
        assert!(content.quiz("final").is_some() && content.lesson("race-conditions").is_some());
    }

    // Asking a choice question for possible values is an error, not a panic.
    #[test]
    fn only_possible_questions_have_values() {
        let quizzes = shipped();
        assert!(possible_values(question(&quizzes, "rc-lost-update-cause")).is_err());
    }
}

mod grading {
    use super::*;

    fn graded(quizzes: &[Quiz], id: &str, picked: &[usize]) -> Graded {
        let q = question(quizzes, id);
        grade(q, &Answer::of(picked.iter().copied()), &answer_key(q).unwrap())
    }

    /// The right options of a question, and the wrong ones, by index (whatever the file's order).
    fn split(quizzes: &[Quiz], id: &str) -> (Vec<usize>, Vec<usize>) {
        let q = question(quizzes, id);
        let key = answer_key(q).unwrap();
        (0..q.options.len()).partition(|i| key.contains(i))
    }

    // A single question: only the one right option, alone, is correct.
    #[test]
    fn single() {
        let quizzes = shipped();
        let (right, wrong) = split(&quizzes, "cvp-definitions");
        let (r, w) = (right[0], wrong[1]);
        assert_eq!(right.len(), 1);
        assert!(graded(&quizzes, "cvp-definitions", &[r]).correct);
        let g = graded(&quizzes, "cvp-definitions", &[w]);
        assert_eq!((g.correct, g.wrong_picked, g.missed), (false, vec![w], vec![r]));
        let g = graded(&quizzes, "cvp-definitions", &[r, wrong[0]]);
        assert_eq!((g.correct, g.right_picked, g.wrong_picked), (false, vec![r], vec![wrong[0]]));
        assert!(!graded(&quizzes, "cvp-definitions", &[]).correct, "no answer is not right");
    }

    // A multiple question needs every right option and no wrong one.
    #[test]
    fn multiple() {
        let quizzes = shipped();
        let (right, wrong) = split(&quizzes, "ds-four-conditions");
        assert_eq!(right.len(), 4, "the four Coffman conditions");
        assert!(graded(&quizzes, "ds-four-conditions", &right).correct);
        let g = graded(&quizzes, "ds-four-conditions", &right[..3]);
        assert_eq!((g.correct, g.missed.clone()), (false, vec![right[3]]));
        let with_wrong: Vec<usize> = right.iter().copied().chain([wrong[0]]).collect();
        let g = graded(&quizzes, "ds-four-conditions", &with_wrong);
        assert_eq!((g.correct, g.right_picked.len(), g.wrong_picked), (false, 4, vec![wrong[0]]));
    }

    // A scenario question is graded like a single one: the right approach alone.
    #[test]
    fn scenario() {
        let quizzes = shipped();
        let q = question(&quizzes, "tool-rust-checksum");
        let key = q.key();
        assert_eq!(key.len(), 1);
        let right = *key.first().unwrap();
        assert!(grade(q, &Answer::of([right]), &key).correct);
        let wrong = (right + 1) % q.options.len();
        assert!(!grade(q, &Answer::of([wrong]), &key).correct);
    }

    // A possible question is graded against the explorer's key: every possible value, nothing else.
    #[test]
    fn possible() {
        let quizzes = shipped();
        // Options are 0, 1, 2, 3; the lost update makes 1 and 2 possible.
        assert!(graded(&quizzes, "rc-possible-lost-update", &[1, 2]).correct);
        let g = graded(&quizzes, "rc-possible-lost-update", &[2]);
        assert_eq!((g.correct, g.missed), (false, vec![1]), "forgetting the lost update is the classic slip");
        let g = graded(&quizzes, "rc-possible-lost-update", &[1, 2, 3]);
        assert_eq!((g.correct, g.wrong_picked), (false, vec![3]));
    }

    // Indices past the last option are ignored rather than panicking.
    #[test]
    fn out_of_range_picks_are_ignored() {
        let quizzes = shipped();
        let (right, _) = split(&quizzes, "cvp-definitions");
        assert!(graded(&quizzes, "cvp-definitions", &[right[0], 99]).correct);
    }

    // A quiz result counts answers, keeps the mistakes' explanations, and saves only three fields.
    #[test]
    fn quiz_result_summary() {
        let quizzes = shipped();
        let quiz = quizzes.iter().find(|q| q.lesson == "concurrency-vs-parallelism").unwrap();
        let mut result = QuizResult::new(quiz);
        for q in &quiz.questions {
            let key = answer_key(q).unwrap();
            let wrong = (0..q.options.len()).find(|i| !key.contains(i)).unwrap();
            let answer = if q.id == "cvp-same-binary" { Answer::of([wrong]) } else { Answer { picked: key.clone() } };
            result.record(q, &grade(q, &answer, &key));
        }
        assert_eq!((result.answered, result.correct), (quiz.questions.len(), quiz.questions.len() - 1));
        assert_eq!(result.mistakes.len(), 1);
        let mistake = &result.mistakes[0];
        assert_eq!(mistake.id, "cvp-same-binary");
        assert_eq!(mistake.notes.len(), 2, "the wrong pick and the missed right option");
        assert!(mistake.notes[0].picked && !mistake.notes[1].picked);
        assert!(mistake.notes.iter().all(|n| !n.explain.is_empty()));

        let json = serde_json::to_value(&result).unwrap();
        assert_eq!(json, serde_json::json!({"quiz": "concurrency-vs-parallelism", "answered": 6, "correct": 5}));
        let back: QuizResult = serde_json::from_value(json).unwrap();
        assert_eq!((back.answered, back.correct), (6, 5));
    }

    // Answering a question again replaces the earlier answer instead of counting twice.
    #[test]
    fn quiz_result_reanswer() {
        let quizzes = shipped();
        let quiz = &quizzes[0];
        let q = &quiz.questions[0];
        let key = answer_key(q).unwrap();
        let mut result = QuizResult::new(quiz);
        result.record(q, &grade(q, &Answer::of([9]), &key));
        assert_eq!((result.answered, result.correct, result.mistakes.len()), (1, 0, 1));
        result.record(q, &grade(q, &Answer { picked: key.clone() }, &key));
        assert_eq!((result.answered, result.correct, result.mistakes.len()), (1, 1, 0));
        result.record(q, &grade(q, &Answer::default(), &key));
        assert_eq!((result.answered, result.correct, result.mistakes.len()), (1, 0, 1));
    }
}
