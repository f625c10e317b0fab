import Foundation
import XCTest

/// Hyper-parameters for TensorBoard's HParams dashboard (`grid_search(..., tensorboard=)`, `fit(..., hparams=)`), read
/// back with the real `tensorboard` package: the plugin's summaries decoded with its own protobuf classes, and the
/// sessions listed by the HParams plugin's backend as the dashboard asks for them.
final class TensorBoardHParamsTests: XCTestCase {
    /// Python helpers: `summaries(run)` → {tag: HParamsPluginData} of the run's own event files, `dashboard(logdir)`
    /// → (experiment, session groups) as the HParams plugin serves them.
    private static let reader = """
        import glob, math, os
        from tensorboard import context
        from tensorboard.backend.event_processing import data_provider, event_file_loader, plugin_event_multiplexer
        from tensorboard.backend.event_processing.event_accumulator import EventAccumulator
        from tensorboard.plugins import base_plugin
        from tensorboard.plugins.hparams import api_pb2, backend_context, get_experiment, list_session_groups, plugin_data_pb2

        def summaries(run):
            found = {}
            for path in glob.glob(os.path.join(run, "events.out.tfevents.*")):
                for event in event_file_loader.EventFileLoader(path).Load():
                    for value in event.summary.value:
                        if value.metadata.plugin_data.plugin_name == "hparams":
                            data = plugin_data_pb2.HParamsPluginData.FromString(value.metadata.plugin_data.content)
                            assert data.version == 0, data
                            found[value.tag] = data
            return found

        def hparams(start):
            out = {}
            for name, value in start.session_start_info.hparams.items():
                out[name] = getattr(value, value.WhichOneof("kind"))
            return out

        def dashboard(logdir):
            mux = plugin_event_multiplexer.EventMultiplexer()
            mux.AddRunsFromDirectory(logdir)
            mux.Reload()
            tb = base_plugin.TBContext(logdir=logdir, multiplexer=mux, data_provider=data_provider.MultiplexerDataProvider(mux, logdir))
            backend = backend_context.Context(tb)
            ctx = context.RequestContext()
            experiment = get_experiment.Handler(ctx, backend, "", api_pb2.GetExperimentRequest()).run()
            request = api_pb2.ListSessionGroupsRequest(
                start_index=0, slice_size=100,
                allowed_statuses=[api_pb2.STATUS_UNKNOWN, api_pb2.STATUS_SUCCESS, api_pb2.STATUS_FAILURE, api_pb2.STATUS_RUNNING])
            groups = list_session_groups.Handler(ctx, backend, "", request).run()
            return experiment, groups

        """

    func testGridSearchWritesAnExperimentAndOneSessionPerTrial() throws {
        let directory = try TemporaryDirectory()
        try directory.write(
            """
            seed(0)
            data = mnist5k(batch_size=32, limit=64)
            def train(lr, wd):
                x = input([1, 28, 28])
                return fit(model(x, dense(flatten(x), 10)), data, 1, opt=sgd(lr=lr, wd=wd), quiet=True)
            r = grid_search({"lr": [0.01, 0.1], "wd": [0, 5e-4]}, train, tensorboard="runs/search", quiet=True)
            for t in r.trials:
                print("TRIAL", t["lr"], t["wd"], t["valid_loss"], t["accuracy"])

            def score(opt, fast):
                if opt == "bad":
                    return 1 / 0
                return {"accuracy": 0.5 if fast else 0.25}
            grid_search({"opt": ["adam", "bad"], "fast": [True, False]}, score, tensorboard="runs/kinds", quiet=True)
            """, to: "search.rnx")
        let result = try RnxProcess.run(["run", "search.rnx"], in: directory.url)
        XCTAssertEqual(result.status, 0, result.errors)
        let trials = result.output.split(separator: "\n").filter { $0.hasPrefix("TRIAL") }.map {
            $0.split(separator: " ").dropFirst().joined(separator: " ")
        }
        XCTAssertEqual(trials.count, 4, result.output)
        try directory.write(trials.joined(separator: "\n"), to: "trials.txt")
        let check = try TestPython.run(
            Self.reader + """
                runs = sorted(os.path.basename(p) for p in glob.glob("runs/search/trial-*"))
                assert runs == ["trial-01-lr=0.01,wd=0", "trial-02-lr=0.01,wd=0.0005", "trial-03-lr=0.1,wd=0", "trial-04-lr=0.1,wd=0.0005"], runs

                top = summaries("runs/search")
                assert list(top) == ["_hparams_/experiment"], top
                experiment = top["_hparams_/experiment"].experiment
                infos = {i.name: i for i in experiment.hparam_infos}
                assert sorted(infos) == ["lr", "wd"], infos
                assert infos["lr"].type == api_pb2.DATA_TYPE_FLOAT64, infos["lr"]
                assert [v.number_value for v in infos["lr"].domain_discrete.values] == [0.01, 0.1], infos["lr"]
                assert [v.number_value for v in infos["wd"].domain_discrete.values] == [0, 5e-4], infos["wd"]
                metrics = sorted(m.name.tag for m in experiment.metric_infos)
                assert metrics == ["accuracy", "train_loss", "valid_loss"], metrics

                expected = {}
                for line in open("trials.txt"):
                    lr, wd, loss, accuracy = map(float, line.split())
                    expected[(lr, wd)] = (loss, accuracy)
                for run in runs:
                    found = summaries("runs/search/" + run)
                    assert sorted(found) == ["_hparams_/session_end_info", "_hparams_/session_start_info"], found
                    start = found["_hparams_/session_start_info"]
                    assert start.session_start_info.group_name == run, start
                    values = hparams(start)
                    assert found["_hparams_/session_end_info"].session_end_info.status == api_pb2.STATUS_SUCCESS, found
                    acc = EventAccumulator("runs/search/" + run, size_guidance={"scalars": 0})
                    acc.Reload()
                    loss, accuracy = expected[(values["lr"], values["wd"])]
                    assert math.isclose(acc.Scalars("valid_loss")[-1].value, loss, rel_tol=1e-5), run
                    assert math.isclose(acc.Scalars("accuracy")[-1].value, accuracy, rel_tol=1e-5), run
                    # The trial's fit wrote its curves into the trial's run.
                    assert "train/loss" in acc.Tags()["scalars"] and "valid/loss" in acc.Tags()["scalars"], acc.Tags()

                served, groups = dashboard("runs/search")
                assert sorted(i.name for i in served.hparam_infos) == ["lr", "wd"], served
                assert len(groups.session_groups) == 4, groups
                for group in groups.session_groups:
                    assert len(group.sessions) == 1 and group.sessions[0].status == api_pb2.STATUS_SUCCESS, group
                    values = {k: v.number_value for k, v in group.hparams.items()}
                    loss, accuracy = expected[(values["lr"], values["wd"])]
                    metric = {m.name.tag: m.value for m in group.metric_values}
                    assert math.isclose(metric["valid_loss"], loss, rel_tol=1e-5), (group, loss)

                kinds = sorted(os.path.basename(p) for p in glob.glob("runs/kinds/trial-*"))
                assert kinds[0].endswith("fast=true,opt=adam"), kinds
                infos = {i.name: i for i in summaries("runs/kinds")["_hparams_/experiment"].experiment.hparam_infos}
                assert infos["fast"].type == api_pb2.DATA_TYPE_BOOL and infos["opt"].type == api_pb2.DATA_TYPE_STRING, infos
                assert [v.string_value for v in infos["opt"].domain_discrete.values] == ["adam", "bad"], infos
                statuses = {}
                for run in kinds:
                    found = summaries("runs/kinds/" + run)
                    statuses[tuple(sorted(hparams(found["_hparams_/session_start_info"]).items()))] = found["_hparams_/session_end_info"].session_end_info.status
                assert statuses == {
                    (("fast", True), ("opt", "adam")): api_pb2.STATUS_SUCCESS, (("fast", False), ("opt", "adam")): api_pb2.STATUS_SUCCESS,
                    (("fast", True), ("opt", "bad")): api_pb2.STATUS_FAILURE, (("fast", False), ("opt", "bad")): api_pb2.STATUS_FAILURE,
                }, statuses
                print("OK")
                """, in: directory.url)
        XCTAssertEqual(check.status, 0, check.output)
        XCTAssertTrue(check.output.contains("OK"), check.output)
    }

    func testFitHparamsAndTheRunOption() throws {
        let directory = try TemporaryDirectory()
        try directory.write(
            """
            seed(0)
            data = mnist5k(batch_size=32, limit=32)
            x = input([1, 28, 28])
            m = model(x, dense(flatten(x), 10))
            fit(m, data, 1, quiet=True, tensorboard="runs/single", hparams={"lr": 0.01, "opt": "adam", "augment": False, "epochs": 1})
            grid_search({"lr": [0.1]}, lambda lr: fit(m, data, 1, lr=lr, quiet=True), quiet=True)
            """, to: "single.rnx")
        let result = try RnxProcess.run(["run", "single.rnx", "--tensorboard", "logs"], in: directory.url)
        XCTAssertEqual(result.status, 0, result.errors)
        let check = try TestPython.run(
            Self.reader + """
                found = summaries("runs/single")
                assert sorted(found) == ["_hparams_/session_end_info", "_hparams_/session_start_info"], found
                assert hparams(found["_hparams_/session_start_info"]) == {"lr": 0.01, "opt": "adam", "augment": False, "epochs": 1.0}, found
                assert found["_hparams_/session_end_info"].session_end_info.status == api_pb2.STATUS_SUCCESS
                served, groups = dashboard("runs")
                assert sorted(i.name for i in served.hparam_infos) == ["augment", "epochs", "lr", "opt"], served
                assert len(groups.session_groups) == 1, groups
                # rnx run --tensorboard: the grid search's experiment in logs, its trial in logs/trial-01-lr=0.1.
                assert list(summaries("logs")) == ["_hparams_/experiment"], summaries("logs")
                assert [os.path.basename(p) for p in glob.glob("logs/trial-*")] == ["trial-01-lr=0.1"], glob.glob("logs/*")
                print("OK")
                """, in: directory.url)
        XCTAssertEqual(check.status, 0, check.output)
        XCTAssertTrue(check.output.contains("OK"), check.output)

        try directory.write(
            """
            data = mnist5k(batch_size=32, limit=32)
            x = input([1, 28, 28])
            fit(model(x, dense(flatten(x), 10)), data, 1, quiet=True, hparams={"lr": 0.1})
            """, to: "missing.rnx")
        let missing = try RnxProcess.run(["run", "missing.rnx"], in: directory.url)
        XCTAssertEqual(missing.status, 1)
        XCTAssertTrue(missing.errors.contains("missing.rnx:3"), missing.errors)
        XCTAssertTrue(missing.errors.contains("ValueError: fit() argument 'hparams' needs tensorboard= too"), missing.errors)
    }

    func testRunNamesAreReadableAndSafe() throws {
        let directory = try TemporaryDirectory()
        try directory.write(
            """
            grid_search({"path": ["a/b", "../x y"], "n": range(10)}, lambda path, n: n, tensorboard="runs", quiet=True)
            """, to: "names.rnx")
        let result = try RnxProcess.run(["run", "names.rnx"], in: directory.url)
        XCTAssertEqual(result.status, 0, result.errors)
        let names = try FileManager.default.contentsOfDirectory(atPath: directory.url.appendingPathComponent("runs").path).filter {
            $0.hasPrefix("trial-")
        }
        .sorted()
        XCTAssertEqual(names.count, 20, "\(names)")
        XCTAssertEqual(names.first, "trial-01-n=0,path=a_b")
        XCTAssertTrue(names.contains("trial-20-n=9,path=.._x_y"), "\(names)")
    }
}
