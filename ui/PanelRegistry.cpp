#include "PanelRegistry.h"

#include "panels/AblationPanel.h"
#include "panels/AttentionOverviewPanel.h"
#include "panels/ComparePanel.h"
#include "panels/ContributionsPanel.h"
#include "panels/DatasetPanel.h"
#include "panels/ResidualPcaPanel.h"
#include "panels/SimilarityPanel.h"
#include "panels/AttentionPanel.h"
#include "panels/HeadAtlasPanel.h"
#include "panels/LogitLensPanel.h"
#include "panels/LogPanel.h"
#include "panels/ModelPanel.h"
#include "panels/NextTokenPanel.h"
#include "panels/PatchingPanel.h"
#include "panels/PromptPanel.h"
#include "panels/ProbePanel.h"
#include "panels/SessionsPanel.h"

#include <QCoreApplication>

namespace strata {

const QList<PanelInfo> &PanelRegistry::panels()
{
    static const QList<PanelInfo> list = {
        {QStringLiteral("ModelPanel"), QT_TRANSLATE_NOOP("Panels", "Model"), QT_TRANSLATE_NOOP("Panels", "Which model is loaded, and what is it made of?"),
         Qt::LeftDockWidgetArea, [](AppContext *c) -> Panel * { return new ModelPanel(c); }},
        {QStringLiteral("SessionsPanel"), QT_TRANSLATE_NOOP("Panels", "Sessions"),
         QT_TRANSLATE_NOOP("Panels", "What did I run before, and what did I note about it?"), Qt::LeftDockWidgetArea,
         [](AppContext *c) -> Panel * { return new SessionsPanel(c); }},
        {QStringLiteral("PromptPanel"), QT_TRANSLATE_NOOP("Panels", "Prompt"),
         QT_TRANSLATE_NOOP("Panels", "How is my text split into tokens, and what does the model continue?"), Qt::LeftDockWidgetArea,
         [](AppContext *c) -> Panel * { return new PromptPanel(c); }},
        {QStringLiteral("AttentionPanel"), QT_TRANSLATE_NOOP("Panels", "Attention"),
         QT_TRANSLATE_NOOP("Panels", "Where does each head of each layer look from each token?"), Qt::RightDockWidgetArea,
         [](AppContext *c) -> Panel * { return new AttentionPanel(c); }},
        {QStringLiteral("AttentionOverviewPanel"), QT_TRANSLATE_NOOP("Panels", "All heads"),
         QT_TRANSLATE_NOOP("Panels", "What do all heads of all layers look like at once?"), Qt::RightDockWidgetArea,
         [](AppContext *c) -> Panel * { return new AttentionOverviewPanel(c); }},
        {QStringLiteral("HeadAtlasPanel"), QT_TRANSLATE_NOOP("Panels", "Head atlas"),
         QT_TRANSLATE_NOOP("Panels", "What does each head do, and how does the mix of roles change with depth?"), Qt::RightDockWidgetArea,
         [](AppContext *c) -> Panel * { return new HeadAtlasPanel(c); }},
        {QStringLiteral("LogitLensPanel"), QT_TRANSLATE_NOOP("Panels", "Logit lens"),
         QT_TRANSLATE_NOOP("Panels", "At which layer does the model's prediction form?"), Qt::RightDockWidgetArea,
         [](AppContext *c) -> Panel * { return new LogitLensPanel(c); }},
        {QStringLiteral("ResidualPcaPanel"), QT_TRANSLATE_NOOP("Panels", "Residual PCA"),
         QT_TRANSLATE_NOOP("Panels", "How do token representations move and separate with depth?"), Qt::RightDockWidgetArea,
         [](AppContext *c) -> Panel * { return new ResidualPcaPanel(c); }},
        {QStringLiteral("SimilarityPanel"), QT_TRANSLATE_NOOP("Panels", "Sentence similarity"),
         QT_TRANSLATE_NOOP("Panels", "At which depth do paraphrases come together and different meanings come apart?"), Qt::RightDockWidgetArea,
         [](AppContext *c) -> Panel * { return new SimilarityPanel(c); }},
        {QStringLiteral("ContributionsPanel"), QT_TRANSLATE_NOOP("Panels", "Contributions"),
         QT_TRANSLATE_NOOP("Panels", "How much does each layer's attention and MLP write into the residual stream?"), Qt::RightDockWidgetArea,
         [](AppContext *c) -> Panel * { return new ContributionsPanel(c); }},
        {QStringLiteral("ComparePanel"), QT_TRANSLATE_NOOP("Panels", "Compare"), QT_TRANSLATE_NOOP("Panels", "Where do two prompts, or two models, part ways?"),
         Qt::RightDockWidgetArea, [](AppContext *c) -> Panel * { return new ComparePanel(c); }},
        {QStringLiteral("PatchingPanel"), QT_TRANSLATE_NOOP("Panels", "Patching"),
         QT_TRANSLATE_NOOP("Panels", "Which activations carry the difference between a clean and a corrupted prompt?"), Qt::RightDockWidgetArea,
         [](AppContext *c) -> Panel * { return new PatchingPanel(c); }},
        {QStringLiteral("DatasetPanel"), QT_TRANSLATE_NOOP("Panels", "Dataset"),
         QT_TRANSLATE_NOOP("Panels", "Does what one prompt shows hold over a whole dataset?"), Qt::RightDockWidgetArea,
         [](AppContext *c) -> Panel * { return new DatasetPanel(c); }},
        {QStringLiteral("AblationPanel"), QT_TRANSLATE_NOOP("Panels", "Ablation and steering"),
         QT_TRANSLATE_NOOP("Panels", "What does the model lose without these heads, and where does a push in the residual stream lead?"),
         Qt::RightDockWidgetArea, [](AppContext *c) -> Panel * { return new AblationPanel(c); }},
        {QStringLiteral("ProbePanel"), QT_TRANSLATE_NOOP("Panels", "Probes"),
         QT_TRANSLATE_NOOP("Panels", "From which layer can a simple classifier read part of speech, syntax or meaning?"), Qt::RightDockWidgetArea,
         [](AppContext *c) -> Panel * { return new ProbePanel(c); }},
        {QStringLiteral("NextTokenPanel"), QT_TRANSLATE_NOOP("Panels", "Next token"),
         QT_TRANSLATE_NOOP("Panels", "What does the model predict after the selected token?"), Qt::RightDockWidgetArea,
         [](AppContext *c) -> Panel * { return new NextTokenPanel(c); }},
        {QStringLiteral("LogPanel"), QT_TRANSLATE_NOOP("Panels", "Log"), QT_TRANSLATE_NOOP("Panels", "What did Strata do, and what went wrong?"),
         Qt::BottomDockWidgetArea, [](AppContext *c) -> Panel * { return new LogPanel(c); }},
    };
    return list;
}

QString PanelRegistry::translatedTitle(const PanelInfo &info)
{
    return QCoreApplication::translate("Panels", info.title);
}
QString PanelRegistry::translatedPurpose(const PanelInfo &info)
{
    return QCoreApplication::translate("Panels", info.whatItAnswers);
}

} // namespace strata
