/// The summaries of TensorBoard's HParams dashboard, as `tensorboard.plugins.hparams.summary_v2` writes them: each
/// is a Summary.Value whose metadata names the `hparams` plugin and carries a serialized `HParamsPluginData`
/// (version 0), with an empty float tensor as its value.
///
/// Field numbers follow tensorboard/plugins/hparams: `plugin_data.proto` (HParamsPluginData: version 1, experiment 2,
/// session_start_info 3, session_end_info 4; SessionStartInfo: hparams 1 (map<string, google.protobuf.Value>),
/// group_name 4, start_time_secs 5; SessionEndInfo: status 1, end_time_secs 2) and `api.proto` (Experiment:
/// time_created_secs 3, hparam_infos 4, metric_infos 5; HParamInfo: name 1, type 4, domain_discrete 5;
/// MetricInfo: name 1; MetricName: group 1, tag 2; DataType: STRING 1, BOOL 2, FLOAT64 3; Status: SUCCESS 1,
/// FAILURE 2), with `google/protobuf/struct.proto` (Value: number_value 2, string_value 3, bool_value 4,
/// list_value 6; ListValue: values 1).
extension TensorBoardEventFile {
    /// The experiment: every hyper-parameter with the values it takes (in order) and the metric tags to compare
    /// runs by. Written once, in the directory above the runs (`hparams_config` in TensorFlow's API).
    public func hparamsExperiment(_ parameters: [(name: String, values: [HyperParameter])], metrics: [String]) {
        hparamsSummary("_hparams_/experiment") { data in
            data.message(2) { experiment in
                experiment.double(3, clock())
                for parameter in parameters {
                    experiment.message(4) { info in
                        info.string(1, parameter.name)
                        info.int64(4, Self.dataType(of: parameter.values))
                        info.message(5) { list in
                            for value in parameter.values { list.message(1) { Self.encode(value, into: &$0) } }
                        }
                    }
                }
                for metric in metrics {
                    experiment.message(5) { info in info.message(1) { name in name.string(2, metric) } }
                }
            }
        }
    }

    /// The start of one session (a run): its hyper-parameters, under `group` (the trial's name).
    public func hparamsSessionStart(_ parameters: [String: HyperParameter], group: String) {
        hparamsSummary("_hparams_/session_start_info") { data in
            data.message(3) { start in
                for name in parameters.keys.sorted() {
                    guard let value = parameters[name] else { continue }
                    start.message(1) { entry in
                        entry.string(1, name)
                        entry.message(2) { Self.encode(value, into: &$0) }
                    }
                }
                start.string(4, group)
                start.double(5, clock())
            }
        }
    }

    /// The end of the session: whether it succeeded.
    public func hparamsSessionEnd(succeeded: Bool) {
        hparamsSummary("_hparams_/session_end_info") { data in
            data.message(4) { end in
                end.int64(1, succeeded ? 1 : 2)
                end.double(2, clock())
            }
        }
    }

    private func hparamsSummary(_ tag: String, _ content: (inout ProtobufWriter) -> Void) {
        var data = ProtobufWriter()
        content(&data)
        summary(step: 0) { value in
            value.string(1, tag)
            value.message(9) { metadata in
                metadata.message(1) { plugin in
                    plugin.string(1, "hparams")
                    plugin.bytes(2, data.bytes)
                }
            }
            // DT_FLOAT with shape [0], as the plugin's NULL_TENSOR.
            value.message(8) { tensor in
                tensor.int64(1, 1)
                tensor.message(2) { shape in shape.message(2) { _ in } }
            }
        }
    }

    /// FLOAT64 when every value is a number, BOOL when every value is a switch, STRING otherwise.
    private static func dataType(of values: [HyperParameter]) -> Int64 {
        if values.allSatisfy({ $0.number != nil }) { return 3 }
        if values.allSatisfy({ if case .bool = $0 { return true } else { return false } }) { return 2 }
        return 1
    }

    /// `value` as a google.protobuf.Value.
    private static func encode(_ value: HyperParameter, into writer: inout ProtobufWriter) {
        switch value {
        case .int, .double: writer.double(2, value.number ?? 0)
        case .bool(let flag): writer.bool(4, flag)
        case .string(let text): writer.string(3, text)
        }
    }
}
