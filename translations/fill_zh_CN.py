#!/usr/bin/env python3
"""Fills unfinished entries of strata_zh_CN.ts from the glossary below.

Workflow when UI strings change:
  cmake --build build --target update_translations   # lupdate adds new <source>s as unfinished
  python3 translations/fill_zh_CN.py                 # add their translations to GLOSSARY first
The script reports every source that still has no translation, so none is left unfinished silently.
"""
import os
import sys
import xml.etree.ElementTree as ET

GLOSSARY = {
    # Panels
    "Model": "模型",
    "Which model is loaded, and what is it made of?": "加载了哪个模型？它由什么组成？",
    "Prompt": "提示词",
    "How is my text split into tokens, and what does the model continue?": "文本如何被切分为词元？模型会如何续写？",
    "Attention": "注意力",
    "Where does each head of each layer look from each token?": "每一层的每个注意力头从每个词元看向哪里？",
    "Next token": "下一个词元",
    "What does the model predict after the selected token?": "模型在所选词元之后预测什么？",
    "Log": "日志",
    "What did Strata do, and what went wrong?": "Strata 做了什么？哪里出了问题？",
    # About / export
    "Strata %1\nQt %2\nlibtorch %3\nBLAS: %4\nThreads: %5": "Strata %1\nQt %2\nlibtorch %3\nBLAS：%4\n线程数：%5",
    "Export figure": "导出图表",
    "PNG image (*.png);;PDF document (*.pdf);;CSV data (*.csv);;JSON data (*.json)":
        "PNG 图像 (*.png);;PDF 文档 (*.pdf);;CSV 数据 (*.csv);;JSON 数据 (*.json)",
    "Export failed": "导出失败",
    "About Strata": "关于 Strata",
    "<h2>Strata</h2><p>See how a GPT-style model builds meaning layer by layer.</p>":
        "<h2>Strata</h2><p>观察 GPT 类模型如何逐层构建语义。</p>",
    # AppContext
    "Loading model %1…": "正在加载模型 %1…",
    "Loading %1": "正在加载 %1",
    "Loading cancelled.": "加载已取消。",
    "Could not load %1: %2": "无法加载 %1：%2",
    "Loaded %1: %2 layers, %3 heads, d=%4.": "已加载 %1：%2 层，%3 个注意力头，d=%4。",
    "Model unloaded.": "模型已卸载。",
    "No model is loaded. Open one from the Model panel or the File menu.": "尚未加载模型。请在“模型”面板或“文件”菜单中打开一个模型。",
    "Tracing prompt": "正在追踪提示词",
    "Run cancelled; the previous run is still shown.": "运行已取消；仍显示上一次的运行结果。",
    "Run failed: %1": "运行失败：%1",
    "Traced %1 tokens in %2 ms.": "已追踪 %1 个词元，用时 %2 毫秒。",
    "Generating": "正在生成",
    "Generation failed: %1": "生成失败：%1",
    # AttentionPanel
    "Layer": "层",
    "Head": "注意力头",
    "Scale": "刻度",
    "Linear": "线性",
    "Log": "日志",
    "Per-row max": "按行最大值",
    "Export…": "导出…",
    "Key (attended-to token)": "键（被关注的词元）",
    "Query (attending token)": "查询（发出关注的词元）",
    "Attention weight": "注意力权重",
    "Attention of this layer was not captured.": "未捕获该层的注意力。",
    "Run a prompt to see its attention.": "运行一个提示词以查看其注意力。",
    "log10 attention weight": "log10 注意力权重",
    "Weight / row maximum": "权重 / 行最大值",
    "Layer %1, head %2%3 · %4 tokens · %5 · keys Alt+←/→ head, Alt+↑/↓ layer":
        "第 %1 层，第 %2 个头%3 · %4 个词元 · %5 · 按键 Alt+←/→ 切换头，Alt+↑/↓ 切换层",
    " (reads KV head %1)": "（读取 KV 头 %1）",
    "query #%1 '%2'\nkey #%3 '%4'\nweight %5": "查询 #%1 '%2'\n键 #%3 '%4'\n权重 %5",
    # MainWindow
    "Open a Hugging Face model folder": "打开 Hugging Face 模型文件夹",
    "Open a GGUF model": "打开 GGUF 模型",
    "GGUF models (*.gguf);;All files (*)": "GGUF 模型 (*.gguf);;所有文件 (*)",
    "Language": "语言",
    "The translation for %1 could not be loaded.": "无法加载 %1 的翻译。",
    "Strata — layer-by-layer model workbench": "Strata — 逐层模型分析工作台",
    "&File": "文件(&F)",
    "&Edit": "编辑(&E)",
    "&View": "视图(&V)",
    "&Run": "运行(&R)",
    "&Help": "帮助(&H)",
    "&Panels": "面板(&P)",
    "&Language": "语言(&L)",
    "Open model &folder…": "打开模型文件夹(&F)…",
    "Open &GGUF file…": "打开 GGUF 文件(&G)…",
    "Open &demo model": "打开演示模型(&D)",
    "&Unload model": "卸载模型(&U)",
    "&Export attention figure…": "导出注意力图(&E)…",
    "&Quit": "退出(&Q)",
    "&Reset layout": "重置布局(&R)",
    "&Run prompt": "运行提示词(&R)",
    "&Cancel running job": "取消正在运行的任务(&C)",
    "Next head": "下一个注意力头",
    "Previous head": "上一个注意力头",
    "Next layer": "下一层",
    "Previous layer": "上一层",
    "Next token": "下一个词元",
    "Previous token": "上一个词元",
    "&Welcome": "欢迎(&W)",
    "&Keyboard shortcuts": "键盘快捷键(&K)",
    "&Plugins…": "插件(&P)…",
    "&About Strata": "关于 Strata(&A)",
    "&Undo": "撤销(&U)",
    "&Redo": "重做(&R)",
    "Cancel": "取消",
    "<h3>Welcome to Strata</h3><p>Strata shows how a language model turns tokens into ever more abstract representations, layer by layer. Type a prompt, press Ctrl+Enter, then look:</p><ul>":
        "<h3>欢迎使用 Strata</h3><p>Strata 展示语言模型如何逐层把词元变成越来越抽象的表示。输入提示词，按 Ctrl+Enter，然后查看：</p><ul>",
    "</ul><p>Alt+arrow keys step through heads and layers from anywhere; Help › Keyboard shortcuts lists every key.</p>":
        "</ul><p>在任何位置按 Alt+方向键即可逐个浏览注意力头和层；“帮助 › 键盘快捷键”列出了所有按键。</p>",
    "Welcome": "欢迎",
    "Keyboard shortcuts": "键盘快捷键",
    "Action": "操作",
    "Shortcut": "快捷键",
    # ModelPanel
    "Loading %1…": "正在加载 %1…",
    "Could not load: %1": "无法加载：%1",
    "Load": "加载",
    "Open folder…": "打开文件夹…",
    "Open GGUF…": "打开 GGUF…",
    "Unload": "卸载",
    "Refresh": "刷新",
    "Model card": "模型卡片",
    "Double-click a model to load it.": "双击模型以加载。",
    "Demo model (bundled)": "演示模型（内置）",
    "The small GPT-2 trained by Strata itself": "由 Strata 自己训练的小型 GPT-2",
    "%1 (Hugging Face cache, %2)": "%1（Hugging Face 缓存，%2）",
    "%1 (recent)": "%1（最近使用）",
    "No model loaded.": "尚未加载模型。",
    "Loaded from %1": "加载自 %1",
    "Name": "名称",
    "Family": "模型族",
    "Layers": "层数",
    "Heads": "注意力头",
    "%1 query / %2 key-value": "%1 个查询头 / %2 个键值头",
    "Width": "宽度",
    "%1 (head dim %2, MLP %3)": "%1（头维度 %2，MLP %3）",
    "Parameters": "参数量",
    "Vocabulary": "词表",
    "Context": "上下文",
    "%1 tokens": "%1 个词元",
    "Weights": "权重",
    "%1, %2": "%1，%2",
    "Fingerprint": "指纹",
    "Full trace": "完整追踪",
    "%1 at %2 tokens (float32)": "%2 个词元时约 %1（float32）",
    # NextTokenPanel
    "Token": "词元",
    "Id": "编号",
    "Probability": "概率",
    "Run a prompt to see the model's next-token predictions.": "运行一个提示词以查看模型对下一个词元的预测。",
    "After token #%1 '%2', the model predicts:": "在词元 #%1 '%2' 之后，模型预测：",
    # PluginsDialog
    "Plugins": "插件",
    "Version": "版本",
    "State": "状态",
    "File": "文件",
    "Message": "信息",
    "loaded": "已加载",
    "refused": "已拒绝",
    "failed": "失败",
    "No plugins were found in: %1": "在以下位置未找到插件：%1",
    "Model-family plugins found at start-up:": "启动时找到的模型族插件：",
    # PromptPanel
    "#%1  id %2\nbytes %3\n\"%4\"": "#%1  编号 %2\n字节 %3\n\"%4\"",
    "History:": "历史：",
    "Type a prompt and press Ctrl+Enter to trace it.": "输入提示词并按 Ctrl+Enter 进行追踪。",
    "Run": "运行",
    "Trace the prompt (Ctrl+Enter)": "追踪提示词（Ctrl+Enter）",
    "Continue": "续写",
    "Generate tokens and append them to the prompt (temperature 0 is greedy)": "生成词元并追加到提示词末尾（温度为 0 时为贪心解码）",
    "New tokens:": "新词元数：",
    "Temperature:": "温度：",
    "Top-k:": "Top-k：",
    "No model loaded": "尚未加载模型",
    "<b>%1 / %2 tokens — too long for this model</b>": "<b>%1 / %2 个词元 — 超出该模型的上下文长度</b>",
    "%1 / %2 tokens": "%1 / %2 个词元",
    # HubDownloadDialog
    "Download from the Hub": "从 Hub 下载",
    "Repository": "仓库",
    "Revision": "版本",
    "Endpoint": "服务地址",
    "Files go to the Hugging Face cache, where Python tools find them too. An interrupted download resumes.":
        "文件保存到 Hugging Face 缓存中，Python 工具也能找到它们。中断的下载可以继续。",
    "Download": "下载",
    "Downloading %1…": "正在下载 %1…",
    "Connecting to %1…": "正在连接 %1…",
    "Downloading %1": "正在下载 %1",
    "Cancelled. Downloading again resumes where it stopped.": "已取消。再次下载将从中断处继续。",
    "Failed: %1": "失败：%1",
    "Downloaded to %1": "已下载到 %1",
    "Download from the &Hub…": "从 Hub 下载(&H)…",
    "Before loading: %1 layers × %2 heads, d=%3; weights %4 on disk (+%5 in memory); a full float32 trace at %6 tokens needs %7.":
        "加载前估算：%1 层 × %2 个注意力头，d=%3；权重在磁盘上占 %4（内存中另需 %5）；%6 个词元的完整 float32 追踪需要 %7。",
    # Issue 7 panels: all heads, head atlas, logit lens; head roles
    "All heads": "全部注意力头",
    "What do all heads of all layers look like at once?": "所有层的所有注意力头放在一起看是什么样子？",
    "Head atlas": "注意力头图谱",
    "What does each head do, and how does the mix of roles change with depth?": "每个注意力头在做什么？各类角色的比例如何随深度变化？",
    "Logit lens": "Logit 透镜",
    "At which layer does the model's prediction form?": "模型的预测在哪一层形成？",
    "PNG image (*.png);;SVG drawing (*.svg);;PDF document (*.pdf);;CSV data (*.csv);;JSON data (*.json)":
        "PNG 图像 (*.png);;SVG 矢量图 (*.svg);;PDF 文档 (*.pdf);;CSV 数据 (*.csv);;JSON 数据 (*.json)",
    "Induction test": "归纳测试",
    "Induction test failed: %1": "归纳测试失败：%1",
    "Induction test: loss %1 → %2 nats from the first to the second copy.": "归纳测试：损失从第一遍的 %1 降到第二遍的 %2 奈特。",
    "Every head of every layer (rows: layers, columns: heads). Click one to focus it.": "每一层的每个注意力头（行：层，列：头）。点击一个即可聚焦查看。",
    "L%1 H%2: %3\nprevious %4 · current %5 · local %6\nBOS %7 · duplicate %8 · induction %9\ndistance %10 · entropy %11 · stripe %12":
        "第 %1 层 第 %2 头：%3\n前一词元 %4 · 当前词元 %5 · 局部 %6\n首位 %7 · 重复词元 %8 · 归纳 %9\n距离 %10 · 熵 %11 · 条纹 %12",
    "Thresholds: sink / previous / induction": "阈值：汇聚 / 前一词元 / 归纳",
    "A head whose mean attention to position 0 exceeds this is a sink head": "对位置 0 的平均注意力超过此值的头视为汇聚头",
    "Previous-token score needed for the previous-token role": "判定为“前一词元”角色所需的得分",
    "Induction score needed for the induction role": "判定为“归纳”角色所需的得分",
    "Run a prompt to score its heads.": "运行一个提示词以给注意力头打分。",
    "Scores from the current run (%1 tokens); the induction test is running…": "得分来自当前运行（%1 个词元）；归纳测试正在进行…",
    "Scores from the current run (%1 tokens). Induction test: %2 random tokens repeated; loss %3 → %4 nats from the first to the second copy.":
        "得分来自当前运行（%1 个词元）。归纳测试：%2 个随机词元重复两遍；损失从第一遍的 %3 降到第二遍的 %4 奈特。",
    "Layer (0 = first)": "层（0 = 第一层）",
    "Role": "角色",
    "Prev": "前一",
    "Current": "当前",
    "Local": "局部",
    "BOS": "首位",
    "Dup": "重复",
    "Induction": "归纳",
    "Distance": "距离",
    "Entropy": "熵",
    "Stripe": "条纹",
    "Mean attention to the previous token": "对前一个词元的平均注意力",
    "Mean attention to the token itself": "对自身词元的平均注意力",
    "Mean attention within the last 3 tokens": "对最近 3 个词元的平均注意力",
    "Mean attention to the first position (attention sink)": "对第一个位置（注意力汇聚点）的平均注意力",
    "Mean attention to earlier copies of the same token": "对同一词元之前出现位置的平均注意力",
    "Mean attention from the second copy of a repeated random sequence to the token after the earlier occurrence":
        "在重复两遍的随机序列中，第二遍的词元对其前一次出现位置之后词元的平均注意力",
    "Mean distance (in tokens) between a query and what it attends to": "查询与其关注位置之间的平均距离（以词元计）",
    "Attention entropy divided by its maximum (0 sharp, 1 uniform)": "注意力熵除以其最大值（0 为集中，1 为均匀）",
    "Largest mean attention any single later key receives": "任一键位置从其后各查询获得的最大平均注意力",
    "Run a prompt to see every head at once.": "运行一个提示词即可同时查看所有注意力头。",
    "Layer %1, after '%2' (#%3)\nmodel's final prediction: '%4' (rank here %5, p=%6)\n":
        "第 %1 层，读到 '%2'（#%3）之后\n模型的最终预测：'%4'（在此处排名 %5，p=%6）\n",
    "Colour by": "着色依据",
    "Probability of the final prediction": "最终预测的概率",
    "Rank of the final prediction (log10)": "最终预测的排名（log10）",
    "KL to the final distribution (nats)": "与最终分布的 KL 散度（奈特）",
    "Probability of the top token": "首选词元的概率",
    "Position (the token read so far)": "位置（已读到的词元）",
    "Run a prompt to read its layers through the unembedding.": "运行一个提示词，通过反嵌入读取各层的表示。",
    "Computing the logit lens…": "正在计算 logit 透镜…",
    "Logit lens cancelled.": "Logit 透镜已取消。",
    "Logit lens failed: %1": "Logit 透镜计算失败：%1",
    "Each cell: the top token if the model stopped after that layer. Hover for the top 5; click a column to select it.":
        "每个单元格：如果模型在该层停止时的首选词元。悬停查看前 5 名；点击一列以选中该位置。",
    "p('%1')": "p('%1')",
    "KL to final (nats)": "与最终分布的 KL（奈特）",
    "Layer — position #%1 '%2'": "层 — 位置 #%1 '%2'",
    "KL (nats)": "KL（奈特）",
    "Attention sink (BOS)": "注意力汇聚（首位）",
    "Previous token": "前一词元",
    "Duplicate token": "重复词元",
    "Current token": "当前词元",
    "Local window": "局部窗口",
    "Stripe (fixed key)": "条纹（固定键）",
    "Long range": "长距离",
    "Diffuse / mixed": "弥散 / 混合",
    "Heads": "注意力头",
    # Issue 8 panels: residual PCA, sentence similarity, contributions
    "Residual PCA": "残差流 PCA",
    "How do token representations move and separate with depth?": "词元表示如何随深度移动和分离？",
    "Sentence similarity": "句子相似度",
    "At which depth do paraphrases come together and different meanings come apart?": "在哪个深度，同义句相互靠拢、不同含义彼此分开？",
    "Contributions": "贡献",
    "How much does each layer's attention and MLP write into the residual stream?": "每一层的注意力和 MLP 向残差流写入了多少？",
    "Mean L2 norm per token of what each layer's attention and MLP write into the residual stream, and of the stream itself.":
        "每一层的注意力和 MLP 写入残差流的内容的每词元平均 L2 范数，以及残差流本身的范数。",
    "attention output": "注意力输出",
    "MLP output": "MLP 输出",
    "residual stream (right axis)": "残差流（右轴）",
    "Mean norm written per token": "每词元写入的平均范数",
    "Residual stream norm": "残差流范数",
    "#%1 '%2'": "#%1 '%2'",
    "Basis of this layer": "本层的基",
    "One basis for all layers": "所有层共用一组基",
    "Colour by position": "按位置着色",
    "Colour by token": "按词元着色",
    "Trajectory of the selected token": "所选词元的轨迹",
    "PCA needs at least three tokens and the residual stream of this layer.": "PCA 需要至少三个词元以及该层的残差流。",
    "Run a prompt to see its token vectors layer by layer.": "运行一个提示词，逐层查看其词元向量。",
    "PC1 (%1 % of variance)": "PC1（方差的 %1 %）",
    "PC2 (%1 % of variance)": "PC2（方差的 %1 %）",
    "Embeddings": "嵌入层",
    "After layer %1": "第 %1 层之后",
    "%1 tokens; the first two principal components explain %2 % of the variance%3. Drag the slider to move through depth.":
        "%1 个词元；前两个主成分解释了%3 %2 % 的方差。拖动滑块可在不同深度间移动。",
    " of all layers together": "所有层合计",
    "Example sets…": "示例集…",
    "Mean pooling": "平均池化",
    "Last token": "最后一个词元",
    "Max pooling": "最大池化",
    "Centred on a baseline": "以基线中心化",
    "Standardised": "标准化",
    "Raw cosine": "原始余弦",
    "Raw cosine of sentence vectors sits near 1 in every layer; centring on a baseline set of sentences removes the shared direction.":
        "句子向量的原始余弦相似度在每一层都接近 1；以一组基线句子做中心化可以去除共有方向。",
    "One sentence per line (any language the model handles).": "每行一句（模型能处理的任何语言）。",
    "Compare": "比较",
    "Write sentences (one per line) and press Compare.": "输入句子（每行一句）后点击“比较”。",
    "Load a model first.": "请先加载模型。",
    "Give at least two sentences.": "请至少输入两个句子。",
    "Running %1 sentences and the baseline set through the model…": "正在将 %1 个句子和基线句子集输入模型…",
    "Cancelled.": "已取消。",
    "Each line: one pair of sentences (S0-S1 ...). Dashed: linear CKA between each layer and the last.":
        "每条线对应一对句子（S0-S1 …）。虚线：各层与最后一层之间的线性 CKA。",
    "CKA with last layer": "与最后一层的 CKA",
    "emb": "嵌入",
    "Depth": "深度",
    "Cosine similarity": "余弦相似度",
    "Similarity matrix at %1": "%1 的相似度矩阵",
    "the embeddings": "嵌入层",
    "layer %1": "第 %1 层",
    "Word in context (optional)": "语境中的词（可选）",
    "When set, compare this word's vectors in each sentence instead of whole sentences, e.g. 'bank' by a river and 'bank' that lends money.":
        "设置后，比较该词在各句中的向量而不是整句，例如河边的“bank”（河岸）和放贷的“bank”（银行）。",
}

# The same English word can need different Chinese in different places.
BY_CONTEXT = {
    ("strata::AttentionPanel", "Log"): "对数",
}


def main() -> int:
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "strata_zh_CN.ts")
    tree = ET.parse(path)
    missing = []
    for ctx in tree.getroot().iter("context"):
        name = ctx.findtext("name")
        for msg in ctx.iter("message"):
            src = msg.findtext("source")
            tr = msg.find("translation")
            if tr is None or tr.get("type") == "vanished" or tr.get("type") == "obsolete":
                continue
            text = BY_CONTEXT.get((name, src), GLOSSARY.get(src))
            if text is None:
                if tr.get("type") == "unfinished" or not (tr.text or "").strip():
                    missing.append(f"{name}: {src!r}")
                continue
            tr.text = text
            tr.attrib.pop("type", None)
    tree.write(path, encoding="utf-8", xml_declaration=True)
    with open(path, "r+", encoding="utf-8") as f:  # keep lupdate's DOCTYPE line
        body = f.read()
        if "<!DOCTYPE TS>" not in body:
            body = body.replace("?>\n", "?>\n<!DOCTYPE TS>\n", 1)
            f.seek(0)
            f.write(body)
            f.truncate()
    for m in missing:
        print("untranslated:", m)
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main())
