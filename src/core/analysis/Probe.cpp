#include "util/TorchInclude.h" // first: shields torch from Qt's `slots`

#include "Probe.h"

#include "jobs/JobControl.h"
#include "model/ModelFamily.h"
#include "util/Error.h"

#include <QElapsedTimer>
#include <QHash>
#include <QJsonArray>

#include <algorithm>
#include <cmath>
#include <map>

namespace strata {

namespace {

at::Tensor toTensor(const std::vector<float> &x, int n, int dim, at::ScalarType dtype)
{
    return torch::from_blob(const_cast<float *>(x.data()), {n, dim}, torch::kFloat32).to(dtype);
}

std::vector<float> toVector(const at::Tensor &t)
{
    const at::Tensor c = t.detach().contiguous().to(torch::kFloat32);
    return std::vector<float>(c.data_ptr<float>(), c.data_ptr<float>() + c.numel());
}

struct Net
{
    at::Tensor w1, b1, w, b; // w1/b1 undefined for the linear probe
    at::Tensor forward(const at::Tensor &x) const
    {
        const at::Tensor h = w1.defined() ? torch::relu(torch::addmm(b1, x, w1)) : x;
        return torch::addmm(b, h, w);
    }
    std::vector<at::Tensor> parameters() const { return w1.defined() ? std::vector<at::Tensor>{w1, b1, w, b} : std::vector<at::Tensor>{w, b}; }
    at::Tensor penalty(double l2) const
    {
        at::Tensor p = w.pow(2).sum();
        if (w1.defined())
            p = p + w1.pow(2).sum();
        return 0.5 * l2 * p;
    }
};

double devAccuracy(const Net &net, const at::Tensor &x, const at::Tensor &y)
{
    torch::NoGradGuard ng;
    const at::Tensor pred = net.forward(x).argmax(1);
    return (pred == y).to(torch::kFloat64).mean().item<double>();
}

} // namespace

std::vector<int> ProbeClassifier::predict(const std::vector<float> &x, int n) const
{
    torch::NoGradGuard ng;
    const at::ScalarType dtype = float64 ? torch::kFloat64 : torch::kFloat32;
    at::Tensor X = toTensor(x, n, dim, dtype);
    X = (X - toTensor(mean, 1, dim, dtype)) * toTensor(scale, 1, dim, dtype);
    Net net;
    if (mlp) {
        net.w1 = toTensor(w1, dim, hidden, dtype);
        net.b1 = toTensor(b1, 1, hidden, dtype).view({hidden});
    }
    const int in = mlp ? hidden : dim;
    net.w = toTensor(weight, in, classes, dtype);
    net.b = toTensor(bias, 1, classes, dtype).view({classes});
    const at::Tensor pred = net.forward(X).argmax(1).to(torch::kInt64).contiguous();
    std::vector<int> out(static_cast<size_t>(n));
    for (int i = 0; i < n; ++i)
        out[size_t(i)] = int(pred.data_ptr<int64_t>()[i]);
    return out;
}

ProbeClassifier Probe::train(const std::vector<float> &x, int n, int dim, const std::vector<int> &y, int classes, const std::vector<float> *devX,
                             const std::vector<int> *devY, const ProbeTrainOptions &o, const JobControl *control)
{
    if (n <= 0 || dim <= 0 || classes < 1 || x.size() != size_t(n) * size_t(dim) || y.size() != size_t(n))
        throw Error(QStringLiteral("Internal error: probe training data of inconsistent shape."));
    torch::manual_seed(o.seed);
    const at::ScalarType dtype = o.float64 ? torch::kFloat64 : torch::kFloat32;
    ProbeClassifier c;
    c.float64 = o.float64;
    c.dim = dim;
    c.classes = classes;
    c.mlp = o.mlp;
    c.hidden = o.mlp ? o.hidden : 0;

    at::Tensor X = toTensor(x, n, dim, dtype);
    at::Tensor mean = torch::zeros({1, dim}, dtype), scale = torch::ones({1, dim}, dtype);
    if (o.standardize) {
        mean = X.mean(0, true);
        scale = 1.0 / (X.std(0, false, true) + 1e-6);
    }
    X = (X - mean) * scale;
    c.mean = toVector(mean);
    c.scale = toVector(scale);
    std::vector<int64_t> y64(y.begin(), y.end());
    const at::Tensor Y = torch::tensor(y64, torch::kInt64);
    at::Tensor DX, DY;
    const bool useDev = devX && devY && !devY->empty();
    if (useDev) {
        DX = (toTensor(*devX, int(devY->size()), dim, dtype) - mean) * scale;
        std::vector<int64_t> d64(devY->begin(), devY->end());
        DY = torch::tensor(d64, torch::kInt64);
    }

    Net net;
    const int in = o.mlp ? o.hidden : dim;
    if (o.mlp) {
        net.w1 = (torch::randn({dim, o.hidden}, dtype) * std::sqrt(2.0 / dim)).requires_grad_();
        net.b1 = torch::zeros({o.hidden}, dtype).requires_grad_();
        net.w = (torch::randn({in, classes}, dtype) * std::sqrt(1.0 / in)).requires_grad_();
    } else {
        net.w = torch::zeros({in, classes}, dtype).requires_grad_();
    }
    net.b = torch::zeros({classes}, dtype).requires_grad_();
    auto objective = [&](const at::Tensor &xb, const at::Tensor &yb) { return torch::cross_entropy_loss(net.forward(xb), yb) + net.penalty(o.l2); };

    std::vector<at::Tensor> best;
    double bestDev = -1;
    int sinceBest = 0;
    auto keepIfBetter = [&] {
        if (!useDev)
            return false;
        const double acc = devAccuracy(net, DX, DY);
        if (acc > bestDev + 1e-12) {
            bestDev = acc;
            sinceBest = 0;
            best.clear();
            for (const auto &p : net.parameters())
                best.push_back(p.detach().clone());
        } else {
            ++sinceBest;
        }
        return sinceBest >= o.patience;
    };

    if (!o.mlp) {
        torch::optim::LBFGS opt(
            net.parameters(),
            torch::optim::LBFGSOptions(1.0).max_iter(20).history_size(20).line_search_fn("strong_wolfe").tolerance_grad(1e-9).tolerance_change(1e-12));
        double previous = 1e300;
        for (int step = 0; step < o.maxSteps; ++step) {
            if (control)
                control->throwIfCancelled();
            const at::Tensor loss = opt.step([&] {
                opt.zero_grad();
                at::Tensor l = objective(X, Y);
                l.backward();
                return l;
            });
            ++c.steps;
            const double now = loss.item<double>();
            if (keepIfBetter())
                break;
            if (std::abs(previous - now) <= 1e-10 * std::max(1.0, std::abs(now)))
                break; // converged
            previous = now;
        }
    } else {
        torch::optim::Adam opt(net.parameters(), torch::optim::AdamOptions(1e-3));
        const int64_t batch = 256;
        const int epochs = o.maxEpochs > 0 ? o.maxEpochs : o.maxSteps * 10;
        for (int epoch = 0; epoch < epochs; ++epoch) {
            const at::Tensor perm = torch::randperm(n, torch::kInt64);
            for (int64_t i = 0; i < n; i += batch) {
                if (control)
                    control->throwIfCancelled();
                const at::Tensor idx = perm.slice(0, i, std::min<int64_t>(n, i + batch));
                opt.zero_grad();
                at::Tensor l = objective(X.index_select(0, idx), Y.index_select(0, idx));
                l.backward();
                opt.step();
            }
            ++c.steps;
            if (keepIfBetter())
                break;
        }
    }
    if (!best.empty()) {
        torch::NoGradGuard ng;
        const auto params = net.parameters();
        for (size_t i = 0; i < params.size(); ++i)
            params[i].copy_(best[i]);
    }
    // The objective and its gradient at the kept weights.
    for (auto &p : net.parameters())
        if (p.grad().defined())
            p.grad().zero_();
    at::Tensor l = objective(X, Y);
    l.backward();
    c.trainLoss = l.item<double>();
    double g2 = 0;
    for (const auto &p : net.parameters())
        g2 += p.grad().pow(2).sum().item<double>();
    c.gradientNorm = std::sqrt(g2);
    if (o.mlp) {
        c.w1 = toVector(net.w1);
        c.b1 = toVector(net.b1);
    }
    c.weight = toVector(net.w);
    c.bias = toVector(net.b);
    return c;
}

// ---- the experiment -----------------------------------------------------------------------------

namespace {

QJsonArray intArray(const std::vector<int> &v)
{
    QJsonArray a;
    for (int x : v)
        a.append(x);
    return a;
}

} // namespace

QJsonObject ProbeRun::toJson() const
{
    QJsonArray taskArray;
    for (const ProbeTaskResult &t : tasks) {
        QJsonArray layerArray;
        for (const ProbeLayerResult &l : t.layers)
            layerArray.append(QJsonObject{{QStringLiteral("layer"), l.layer},
                                          {QStringLiteral("accuracy"), l.accuracy},
                                          {QStringLiteral("macro_f1"), l.macroF1},
                                          {QStringLiteral("control_accuracy"), l.controlAccuracy},
                                          {QStringLiteral("selectivity"), l.selectivity},
                                          {QStringLiteral("confusion"), intArray(l.confusion)}});
        taskArray.append(QJsonObject{{QStringLiteral("task"), t.task},
                                     {QStringLiteral("classes"), QJsonArray::fromStringList(t.classes)},
                                     {QStringLiteral("majority_class"), t.majorityClass},
                                     {QStringLiteral("majority_accuracy"), t.majorityAccuracy},
                                     {QStringLiteral("best_layer"), t.bestLayer},
                                     {QStringLiteral("expected_layer"), t.expectedLayer},
                                     {QStringLiteral("gain_layer"), t.gainLayer},
                                     {QStringLiteral("train_items"), t.trainItems},
                                     {QStringLiteral("dev_items"), t.devItems},
                                     {QStringLiteral("eval_items"), t.evalItems},
                                     {QStringLiteral("unseen_eval_labels"), t.unseenEvalLabels},
                                     {QStringLiteral("seconds"), t.seconds},
                                     {QStringLiteral("layers"), layerArray}});
    }
    return QJsonObject{{QStringLiteral("model"), modelName},
                       {QStringLiteral("fingerprint"), fingerprint},
                       {QStringLiteral("site"), site},
                       {QStringLiteral("pooling"), pooling},
                       {QStringLiteral("classifier"), classifier},
                       {QStringLiteral("train"), trainPath},
                       {QStringLiteral("dev"), devPath},
                       {QStringLiteral("eval"), evalPath},
                       {QStringLiteral("eval_is_dev"), evalIsDev},
                       {QStringLiteral("layer_points"), layerPoints},
                       {QStringLiteral("skipped_sentences"), skippedSentences},
                       {QStringLiteral("features_from_cache"), featuresFromCache},
                       {QStringLiteral("feature_seconds"), featureSeconds},
                       {QStringLiteral("total_seconds"), totalSeconds},
                       {QStringLiteral("problems"), QJsonArray::fromStringList(problems)},
                       {QStringLiteral("tasks"), taskArray}};
}

ProbeRun ProbeRun::fromJson(const QJsonObject &o)
{
    ProbeRun r;
    r.modelName = o.value(QStringLiteral("model")).toString();
    r.fingerprint = o.value(QStringLiteral("fingerprint")).toString();
    r.site = o.value(QStringLiteral("site")).toString();
    r.pooling = o.value(QStringLiteral("pooling")).toString();
    r.classifier = o.value(QStringLiteral("classifier")).toString();
    r.trainPath = o.value(QStringLiteral("train")).toString();
    r.devPath = o.value(QStringLiteral("dev")).toString();
    r.evalPath = o.value(QStringLiteral("eval")).toString();
    r.evalIsDev = o.value(QStringLiteral("eval_is_dev")).toBool();
    r.layerPoints = o.value(QStringLiteral("layer_points")).toInt();
    r.skippedSentences = o.value(QStringLiteral("skipped_sentences")).toInt();
    r.featuresFromCache = o.value(QStringLiteral("features_from_cache")).toBool();
    r.featureSeconds = o.value(QStringLiteral("feature_seconds")).toDouble();
    r.totalSeconds = o.value(QStringLiteral("total_seconds")).toDouble();
    for (const QJsonValue &p : o.value(QStringLiteral("problems")).toArray())
        r.problems << p.toString();
    for (const QJsonValue &tv : o.value(QStringLiteral("tasks")).toArray()) {
        const QJsonObject t = tv.toObject();
        ProbeTaskResult tr;
        tr.task = t.value(QStringLiteral("task")).toString();
        for (const QJsonValue &c : t.value(QStringLiteral("classes")).toArray())
            tr.classes << c.toString();
        tr.majorityClass = t.value(QStringLiteral("majority_class")).toString();
        tr.majorityAccuracy = t.value(QStringLiteral("majority_accuracy")).toDouble();
        tr.bestLayer = t.value(QStringLiteral("best_layer")).toInt();
        tr.expectedLayer = t.value(QStringLiteral("expected_layer")).toDouble();
        tr.gainLayer = t.value(QStringLiteral("gain_layer")).toDouble();
        tr.trainItems = t.value(QStringLiteral("train_items")).toInt();
        tr.devItems = t.value(QStringLiteral("dev_items")).toInt();
        tr.evalItems = t.value(QStringLiteral("eval_items")).toInt();
        tr.unseenEvalLabels = t.value(QStringLiteral("unseen_eval_labels")).toInt();
        tr.seconds = t.value(QStringLiteral("seconds")).toDouble();
        for (const QJsonValue &lv : t.value(QStringLiteral("layers")).toArray()) {
            const QJsonObject l = lv.toObject();
            ProbeLayerResult lr;
            lr.layer = l.value(QStringLiteral("layer")).toInt();
            lr.accuracy = l.value(QStringLiteral("accuracy")).toDouble();
            lr.macroF1 = l.value(QStringLiteral("macro_f1")).toDouble();
            lr.controlAccuracy = l.value(QStringLiteral("control_accuracy")).toDouble(-1);
            lr.selectivity = l.value(QStringLiteral("selectivity")).toDouble();
            for (const QJsonValue &c : l.value(QStringLiteral("confusion")).toArray())
                lr.confusion.push_back(c.toInt());
            tr.layers.push_back(std::move(lr));
        }
        r.tasks.push_back(std::move(tr));
    }
    return r;
}

ProbeRun Probe::run(LoadedModel &model, const QString &trainPath, const QString &devPath, const QString &testPath, const ProbeRunOptions &o,
                    const JobControl *jobControl)
{
    QElapsedTimer total;
    total.start();
    if (o.tasks.isEmpty())
        throw Error(QStringLiteral("No probing task was chosen."));
    std::vector<ProbeTask> tasks;
    bool sentenceTask = false;
    for (const QString &name : o.tasks) {
        ProbeTask t;
        if (!ProbeData::taskFromName(name, &t))
            throw Error(QStringLiteral("Unknown probing task '%1' (known: upos, xpos, deprel, headdist, sentence).").arg(name));
        sentenceTask = sentenceTask || t == ProbeTask::Sentence;
        tasks.push_back(t);
    }
    if (sentenceTask && tasks.size() > 1)
        throw Error(QStringLiteral("The sentence task reads labelled sentences (CSV/TSV) and cannot be combined with word-level tasks."));

    ProbeRun run;
    run.modelName = model.info().name;
    run.fingerprint = model.info().fingerprint;
    run.site = siteName(o.features.site);
    run.pooling = poolingName(o.features.pooling);
    run.classifier = o.training.mlp ? QStringLiteral("mlp") : QStringLiteral("logistic");
    run.trainPath = trainPath;
    run.devPath = devPath;
    run.evalIsDev = testPath.isEmpty();
    run.evalPath = run.evalIsDev ? devPath : testPath;

    const ProbeDataset train = ProbeData::load(trainPath, o.maxTrain);
    const ProbeDataset dev = ProbeData::load(devPath, o.maxDev);
    const ProbeDataset evalData = run.evalIsDev ? dev : ProbeData::load(testPath, o.maxEval);
    for (const ProbeDataset *d : {&train, &dev, &evalData}) {
        if (d->sentenceLevel() != sentenceTask)
            throw Error(sentenceTask ? QStringLiteral("%1 is not a labelled-sentence file (CSV/TSV: label, text), which the sentence task needs.").arg(d->path)
                                     : QStringLiteral("%1 is not a CoNLL-U file, which word-level tasks need.").arg(d->path));
        for (const QString &p : d->problems)
            if (!run.problems.contains(p))
                run.problems << p;
    }

    QElapsedTimer timer;
    timer.start();
    const FeatureSet fTrain = FeatureSet::extract(model, train, o.features, jobControl, 0.0, 0.35);
    const FeatureSet fDev = FeatureSet::extract(model, dev, o.features, jobControl, 0.35, 0.45);
    const FeatureSet fEval = run.evalIsDev ? fDev : FeatureSet::extract(model, evalData, o.features, jobControl, 0.45, 0.55);
    run.featureSeconds = double(timer.elapsed()) / 1000.0;
    run.featuresFromCache = fTrain.fromCache() && fDev.fromCache() && fEval.fromCache();
    run.skippedSentences = fTrain.skippedSentences() + fDev.skippedSentences() + (run.evalIsDev ? 0 : fEval.skippedSentences());
    run.layerPoints = fTrain.layers();

    auto labelsOf = [](const FeatureSet &f, const ProbeDataset &d, ProbeTask task) {
        QStringList out;
        for (const auto &[s, w] : f.refs())
            out << (task == ProbeTask::Sentence ? d.sentenceLabels[s] : ProbeData::wordLabel(d.sentences[size_t(s)], w, task));
        return out;
    };
    auto formsOf = [](const FeatureSet &f, const ProbeDataset &d) {
        QStringList out;
        for (const auto &[s, w] : f.refs())
            out << (w >= 0 ? d.sentences[size_t(s)].words[size_t(w)].form : QString());
        return out;
    };

    const int L = run.layerPoints;
    const int steps = int(tasks.size()) * L;
    int done = 0;
    for (ProbeTask task : tasks) {
        QElapsedTimer taskTimer;
        taskTimer.start();
        ProbeTaskResult tr;
        tr.task = ProbeData::taskName(task);
        const QStringList trainLabels = labelsOf(fTrain, train, task);
        const QStringList devLabels = labelsOf(fDev, dev, task);
        const QStringList evalLabels = labelsOf(fEval, evalData, task);
        std::map<QString, int> counts;
        for (const QString &l : trainLabels)
            ++counts[l];
        for (const auto &[label, count] : counts)
            tr.classes << label;
        QHash<QString, int> id;
        for (int i = 0; i < tr.classes.size(); ++i)
            id.insert(tr.classes[i], i);
        const int C = int(tr.classes.size());
        auto ids = [&id](const QStringList &labels) {
            std::vector<int> v;
            for (const QString &l : labels)
                v.push_back(id.value(l, -1));
            return v;
        };
        const std::vector<int> yTrain = ids(trainLabels), yDev = ids(devLabels), yEval = ids(evalLabels);
        tr.trainItems = int(yTrain.size());
        tr.devItems = int(yDev.size());
        tr.evalItems = int(yEval.size());
        tr.unseenEvalLabels = int(std::count(yEval.begin(), yEval.end(), -1));
        // Majority class of the training data, scored on the evaluation data.
        int major = 0;
        std::vector<double> distribution(size_t(C), 0.0);
        for (int y : yTrain)
            distribution[size_t(y)] += 1;
        for (int c = 1; c < C; ++c)
            if (distribution[size_t(c)] > distribution[size_t(major)])
                major = c;
        tr.majorityClass = tr.classes.value(major);
        tr.majorityAccuracy = ProbeData::accuracy(yEval, std::vector<int>(yEval.size(), major));
        // Control task labels (word types only).
        const bool control = o.control && task != ProbeTask::Sentence && C > 1;
        std::vector<int> cTrain, cDev, cEval;
        if (control) {
            auto controlIds = [&](const QStringList &forms) {
                std::vector<int> v;
                for (const QString &f : forms)
                    v.push_back(ProbeData::controlLabel(f, distribution, o.controlSeed));
                return v;
            };
            cTrain = controlIds(formsOf(fTrain, train));
            cDev = controlIds(formsOf(fDev, dev));
            cEval = controlIds(formsOf(fEval, evalData));
        }
        std::vector<double> accs;
        for (int l = 0; l < L; ++l) {
            if (jobControl) {
                jobControl->throwIfCancelled();
                jobControl->report(0.55 + 0.45 * double(done) / double(steps), QStringLiteral("Probing %1, layer %2/%3").arg(tr.task).arg(l).arg(L - 1));
            }
            const std::vector<float> xTrain = fTrain.layer(l), xDev = fDev.layer(l), xEval = fEval.layer(l);
            const int dim = fTrain.dim();
            ProbeLayerResult lr;
            lr.layer = l;
            if (C < 2) {
                lr.accuracy = ProbeData::accuracy(yEval, std::vector<int>(yEval.size(), 0));
            } else {
                const ProbeClassifier clf = Probe::train(xTrain, tr.trainItems, dim, yTrain, C, &xDev, &yDev, o.training, jobControl);
                const std::vector<int> pred = clf.predict(xEval, tr.evalItems);
                lr.accuracy = ProbeData::accuracy(yEval, pred);
                lr.macroF1 = ProbeData::macroF1(yEval, pred, C);
                lr.confusion = ProbeData::confusion(yEval, pred, C);
                if (control) {
                    const ProbeClassifier ctl = Probe::train(xTrain, tr.trainItems, dim, cTrain, C, &xDev, &cDev, o.training, jobControl);
                    lr.controlAccuracy = ProbeData::accuracy(cEval, ctl.predict(xEval, tr.evalItems));
                    lr.selectivity = lr.accuracy - lr.controlAccuracy;
                }
            }
            accs.push_back(lr.accuracy);
            tr.layers.push_back(std::move(lr));
            ++done;
        }
        tr.bestLayer = int(std::max_element(accs.begin(), accs.end()) - accs.begin());
        tr.expectedLayer = ProbeData::expectedLayer(accs);
        tr.gainLayer = ProbeData::gainWeightedLayer(accs);
        tr.seconds = double(taskTimer.elapsed()) / 1000.0;
        run.tasks.push_back(std::move(tr));
    }
    run.totalSeconds = double(total.elapsed()) / 1000.0;
    return run;
}

} // namespace strata
