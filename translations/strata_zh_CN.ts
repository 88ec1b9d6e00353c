<?xml version='1.0' encoding='utf-8'?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN">
<context>
    <name>AnswerTokens</name>
    <message>
        <source>%1 → scored: %2</source>
        <translation>%1 → 计分：%2</translation>
    </message>
    <message>
        <source> (%1 tokens; only the first is scored)</source>
        <translation>（%1 个词元；只计第一个）</translation>
    </message>
    <message>
        <source> (the lone leading space is skipped)</source>
        <translation>（跳过单独的前导空格）</translation>
    </message>
</context>
<context>
    <name>HeadRole</name>
    <message>
        <source>Attention sink (BOS)</source>
        <translation>注意力汇聚（首位）</translation>
    </message>
    <message>
        <source>Previous token</source>
        <translation>前一词元</translation>
    </message>
    <message>
        <source>Induction</source>
        <translation>归纳</translation>
    </message>
    <message>
        <source>Duplicate token</source>
        <translation>重复词元</translation>
    </message>
    <message>
        <source>Current token</source>
        <translation>当前词元</translation>
    </message>
    <message>
        <source>Local window</source>
        <translation>局部窗口</translation>
    </message>
    <message>
        <source>Stripe (fixed key)</source>
        <translation>条纹（固定键）</translation>
    </message>
    <message>
        <source>Long range</source>
        <translation>长距离</translation>
    </message>
    <message>
        <source>Diffuse / mixed</source>
        <translation>弥散 / 混合</translation>
    </message>
    <message>
        <source>Semantic (similar meaning)</source>
        <translation>语义（意义相近）</translation>
    </message>
    <message>
        <source>Block-sparse (own sentence)</source>
        <translation>块稀疏（本句之内）</translation>
    </message>
    <message>
        <source>Syntactic (dependency arcs)</source>
        <translation>句法（依存弧）</translation>
    </message>
</context>
<context>
    <name>Panels</name>
    <message>
        <source>Model</source>
        <translation>模型</translation>
    </message>
    <message>
        <source>Which model is loaded, and what is it made of?</source>
        <translation>加载了哪个模型？它由什么组成？</translation>
    </message>
    <message>
        <source>Prompt</source>
        <translation>提示词</translation>
    </message>
    <message>
        <source>How is my text split into tokens, and what does the model continue?</source>
        <translation>文本如何被切分为词元？模型会如何续写？</translation>
    </message>
    <message>
        <source>Attention</source>
        <translation>注意力</translation>
    </message>
    <message>
        <source>Where does each head of each layer look from each token?</source>
        <translation>每一层的每个注意力头从每个词元看向哪里？</translation>
    </message>
    <message>
        <source>Next token</source>
        <translation>下一个词元</translation>
    </message>
    <message>
        <source>What does the model predict after the selected token?</source>
        <translation>模型在所选词元之后预测什么？</translation>
    </message>
    <message>
        <source>Log</source>
        <translation>日志</translation>
    </message>
    <message>
        <source>What did Strata do, and what went wrong?</source>
        <translation>Strata 做了什么？哪里出了问题？</translation>
    </message>
    <message>
        <source>All heads</source>
        <translation>全部注意力头</translation>
    </message>
    <message>
        <source>What do all heads of all layers look like at once?</source>
        <translation>所有层的所有注意力头放在一起看是什么样子？</translation>
    </message>
    <message>
        <source>Head atlas</source>
        <translation>注意力头图谱</translation>
    </message>
    <message>
        <source>What does each head do, and how does the mix of roles change with depth?</source>
        <translation>每个注意力头在做什么？各类角色的比例如何随深度变化？</translation>
    </message>
    <message>
        <source>Logit lens</source>
        <translation>Logit 透镜</translation>
    </message>
    <message>
        <source>At which layer does the model's prediction form?</source>
        <translation>模型的预测在哪一层形成？</translation>
    </message>
    <message>
        <source>Residual PCA</source>
        <translation>残差流 PCA</translation>
    </message>
    <message>
        <source>How do token representations move and separate with depth?</source>
        <translation>词元表示如何随深度移动和分离？</translation>
    </message>
    <message>
        <source>Sentence similarity</source>
        <translation>句子相似度</translation>
    </message>
    <message>
        <source>At which depth do paraphrases come together and different meanings come apart?</source>
        <translation>在哪个深度，同义句相互靠拢、不同含义彼此分开？</translation>
    </message>
    <message>
        <source>Contributions</source>
        <translation>贡献</translation>
    </message>
    <message>
        <source>How much does each layer's attention and MLP write into the residual stream?</source>
        <translation>每一层的注意力和 MLP 向残差流写入了多少？</translation>
    </message>
    <message>
        <source>Sessions</source>
        <translation>会话</translation>
    </message>
    <message>
        <source>What did I run before, and what did I note about it?</source>
        <translation>我之前运行过什么？对它做过哪些笔记？</translation>
    </message>
    <message>
        <source>Probes</source>
        <translation>探针</translation>
    </message>
    <message>
        <source>From which layer can a simple classifier read part of speech, syntax or meaning?</source>
        <translation>从哪一层开始，简单的分类器就能读出词性、句法或语义？</translation>
    </message>
    <message>
        <source>Compare</source>
        <translation>比较</translation>
    </message>
    <message>
        <source>Where do two prompts, or two models, part ways?</source>
        <translation>两个提示词（或两个模型）在哪里分道扬镳？</translation>
    </message>
    <message>
        <source>Patching</source>
        <translation>激活修补</translation>
    </message>
    <message>
        <source>Which activations carry the difference between a clean and a corrupted prompt?</source>
        <translation>哪些激活承载了干净提示词与损坏提示词之间的差异？</translation>
    </message>
    <message>
        <source>Ablation and steering</source>
        <translation>消融与引导</translation>
    </message>
    <message>
        <source>What does the model lose without these heads, and where does a push in the residual stream lead?</source>
        <translation>去掉这些注意力头后模型失去了什么？在残差流中推一把会把它引向哪里？</translation>
    </message>
    <message>
        <source>Dataset</source>
        <translation>数据集</translation>
    </message>
    <message>
        <source>Does what one prompt shows hold over a whole dataset?</source>
        <translation>单个提示显示的规律在整个数据集上是否成立？</translation>
    </message>
</context>
<context>
    <name>QObject</name>
    <message>
        <source>Export figure</source>
        <translation>导出图表</translation>
    </message>
    <message>
        <source>Export failed</source>
        <translation>导出失败</translation>
    </message>
    <message>
        <source>PNG image (*.png);;SVG drawing (*.svg);;PDF document (*.pdf);;CSV data (*.csv);;JSON data (*.json)</source>
        <translation>PNG 图像 (*.png);;SVG 矢量图 (*.svg);;PDF 文档 (*.pdf);;CSV 数据 (*.csv);;JSON 数据 (*.json)</translation>
    </message>
    <message>
        <source>Undo %1</source>
        <translation>撤销%1</translation>
    </message>
    <message>
        <source>loss (nats per token)</source>
        <translation>损失（每词元奈特）</translation>
    </message>
    <message>
        <source>best head score</source>
        <translation>最佳注意力头得分</translation>
    </message>
    <message>
        <source>training step</source>
        <translation>训练步数</translation>
    </message>
    <message>
        <source>copy-loss drop (nats)</source>
        <translation>复制损失下降（奈特）</translation>
    </message>
    <message>
        <source>train loss</source>
        <translation>训练损失</translation>
    </message>
    <message>
        <source>validation loss</source>
        <translation>验证损失</translation>
    </message>
    <message>
        <source>previous-token</source>
        <translation>前一词元</translation>
    </message>
    <message>
        <source>induction</source>
        <translation>归纳</translation>
    </message>
    <message>
        <source>copy-loss drop</source>
        <translation>复制损失下降</translation>
    </message>
    <message>
        <source>emulated (no AMX-BF16 or AVX512-BF16 on this CPU): models load as f32 unless bf16 is asked for</source>
        <translation>模拟（此 CPU 没有 AMX-BF16 或 AVX512-BF16）：除非明确要求 bf16，模型按 f32 加载</translation>
    </message>
    <message>
        <source>native (%1, through oneDNN): used by models of %2 parameters or more, or when asked for</source>
        <translation>原生支持（%1，经 oneDNN）：参数量达到 %2 的模型或明确要求时使用</translation>
    </message>
    <message>
        <source>Strata %1
Qt %2
libtorch %3
BLAS: %4
Threads: %5
Compute: %6 requested; bf16 %7</source>
        <translation>Strata %1
Qt %2
libtorch %3
BLAS：%4
线程数：%5
计算精度：请求 %6；bf16 %7</translation>
    </message>
</context>
<context>
    <name>strata</name>
    <message>
        <source>1. Context aggregation</source>
        <translation>1. 上下文聚合</translation>
    </message>
    <message>
        <source>Attention reaches further with depth: deeper layers gather context from more distant tokens.</source>
        <translation>注意力随深度伸得更远：更深的层从更远的词元汇集上下文。</translation>
    </message>
    <message>
        <source>Mean attention distance grows from %1 tokens in layer 0 to %2 in layer %3 (rank correlation with depth %4).</source>
        <translation>平均注意力距离从第 0 层的 %1 个词元增长到第 %3 层的 %2 个（与深度的秩相关 %4）。</translation>
    </message>
    <message>
        <source>Mean attention distance does not grow steadily with depth: %1 tokens in layer 0, %2 in layer %3 (rank correlation with depth %4).</source>
        <translation>平均注意力距离并未随深度稳定增长：第 0 层 %1 个词元，第 %3 层 %2 个（与深度的秩相关 %4）。</translation>
    </message>
    <message>
        <source>Normalised attention entropy goes from %1 to %2 (0 = one key, 1 = uniform).</source>
        <translation>归一化注意力熵从 %1 变为 %2（0 = 只看一个键，1 = 均匀）。</translation>
    </message>
    <message>
        <source>Attention distance by layer</source>
        <translation>各层注意力距离</translation>
    </message>
    <message>
        <source>Layer</source>
        <translation>层</translation>
    </message>
    <message>
        <source>Tokens</source>
        <translation>词元数</translation>
    </message>
    <message>
        <source>mean over heads</source>
        <translation>各头平均</translation>
    </message>
    <message>
        <source>farthest head</source>
        <translation>最远的头</translation>
    </message>
    <message>
        <source>Attention entropy by layer</source>
        <translation>各层注意力熵</translation>
    </message>
    <message>
        <source>Entropy / maximum</source>
        <translation>熵 / 最大值</translation>
    </message>
    <message>
        <source>2. A linguistic hierarchy</source>
        <translation>2. 语言学层级</translation>
    </message>
    <message>
        <source>Probes read word-level categories (part of speech) early, syntax (dependency relations) in the middle, meaning late.</source>
        <translation>探针在浅层读出词级类别（词性），在中层读出句法（依存关系），在深层读出语义。</translation>
    </message>
    <message>
        <source>Not measured: no CoNLL-U treebank was given (strata-cli report --conllu FILE, or pick one in the report dialog).</source>
        <translation>未测量：没有提供 CoNLL-U 树库（strata-cli report --conllu 文件，或在报告对话框中选择）。</translation>
    </message>
    <message>
        <source>Probe accuracy by layer point</source>
        <translation>各层位置的探针准确率</translation>
    </message>
    <message>
        <source>Layer point (emb = embeddings, n = after block n)</source>
        <translation>层位置（emb = 嵌入，n = 第 n 块之后）</translation>
    </message>
    <message>
        <source>Accuracy</source>
        <translation>准确率</translation>
    </message>
    <message>
        <source>%1 is read best at layer point %2 (accuracy %3, majority baseline %4; gain-weighted layer %5)</source>
        <translation>%1 在层位置 %2 读得最好（准确率 %3，多数类基线 %4；增益加权层 %5）</translation>
    </message>
    <message>
        <source>Both UPOS and deprel are needed to compare their depths.</source>
        <translation>需要 UPOS 和 deprel 两项才能比较它们的深度。</translation>
    </message>
    <message>
        <source>Dependency relations are gained later than part of speech (layer %1 against %2), as the hierarchy claims.</source>
        <translation>依存关系比词性更晚获得（第 %1 层对第 %2 层），与层级假说一致。</translation>
    </message>
    <message>
        <source>Dependency relations are not gained later than part of speech here (layer %1 against %2).</source>
        <translation>在这里依存关系并不比词性更晚获得（第 %1 层对第 %2 层）。</translation>
    </message>
    <message>
        <source>3. The residual stream as a conveyor belt</source>
        <translation>3. 残差流如同传送带</translation>
    </message>
    <message>
        <source>Each block adds an increment to the residual stream; the stream grows as blocks write into it and later blocks read it.</source>
        <translation>每个块向残差流加入一个增量；随着各块写入，残差流不断增长，后面的块读取它。</translation>
    </message>
    <message>
        <source>The residual stream's mean norm goes from %1 at the embeddings to %2 after the last block (%3 times); %4 of %5 blocks make it larger. What a block writes (attention plus MLP) is on average %6 % of the norm of the stream it reads.</source>
        <translation>残差流的平均范数从嵌入处的 %1 变为最后一块之后的 %2（%3 倍）；%5 个块中有 %4 个使其变大。一个块写入的内容（注意力加 MLP）平均为其所读残差流范数的 %6 %。</translation>
    </message>
    <message>
        <source>Norms by layer</source>
        <translation>各层范数</translation>
    </message>
    <message>
        <source>Mean L2 norm</source>
        <translation>平均 L2 范数</translation>
    </message>
    <message>
        <source>residual stream</source>
        <translation>残差流</translation>
    </message>
    <message>
        <source>attention output</source>
        <translation>注意力输出</translation>
    </message>
    <message>
        <source>MLP output</source>
        <translation>MLP 输出</translation>
    </message>
    <message>
        <source>4. Pressure of the loss: the prediction forms late</source>
        <translation>4. 损失的压力：预测在后期形成</translation>
    </message>
    <message>
        <source>Read through the unembedding (logit lens), early layers do not yet predict the final next token; the prediction forms in late layers.</source>
        <translation>通过反嵌入读取（logit lens），浅层尚不能预测最终的下一个词元；预测在深层形成。</translation>
    </message>
    <message>
        <source>The final prediction is top-1 at layer 0 for %1 % of positions and at layer %2 for %3 %; it first holds for half of the positions at layer %4 of %5. The median rank of the final token falls from %6 to %7 and the mean KL divergence to the final distribution from %8 to %9 nats.</source>
        <translation>最终预测在第 0 层对 %1 % 的位置排名第一，在第 %2 层为 %3 %；在 %5 层中的第 %4 层首次对一半位置成立。最终词元的中位排名从 %6 降到 %7，与最终分布的平均 KL 散度从 %8 降到 %9 奈特。</translation>
    </message>
    <message>
        <source>So in this model the prediction does not form late: it is readable in the first half of the layers.</source>
        <translation>因此在这个模型中预测并非在后期形成：在前一半的层中已可读出。</translation>
    </message>
    <message>
        <source>Logit lens by layer</source>
        <translation>各层 logit lens</translation>
    </message>
    <message>
        <source>Share of positions</source>
        <translation>位置占比</translation>
    </message>
    <message>
        <source>top-1 = final prediction</source>
        <translation>第一名 = 最终预测</translation>
    </message>
    <message>
        <source>KL divergence to the final distribution</source>
        <translation>与最终分布的 KL 散度</translation>
    </message>
    <message>
        <source>Nats</source>
        <translation>奈特</translation>
    </message>
    <message>
        <source>mean KL</source>
        <translation>平均 KL</translation>
    </message>
    <message>
        <source>5. Compression: paraphrases converge in deep layers</source>
        <translation>5. 压缩：同义改写在深层趋同</translation>
    </message>
    <message>
        <source>Sentences that mean the same with different words become more similar with depth, while surface detail fades.</source>
        <translation>用不同词语表达相同意思的句子随深度变得更相似，而表层细节逐渐消退。</translation>
    </message>
    <message>
        <source>Paraphrase minus unrelated similarity</source>
        <translation>同义句相似度减去无关句相似度</translation>
    </message>
    <message>
        <source>Cosine similarity gap</source>
        <translation>余弦相似度差</translation>
    </message>
    <message>
        <source>Linear CKA with the last layer</source>
        <translation>与最后一层的线性 CKA</translation>
    </message>
    <message>
        <source>CKA</source>
        <translation>CKA</translation>
    </message>
    <message>
        <source>English</source>
        <translation>英文</translation>
    </message>
    <message>
        <source>Chinese</source>
        <translation>中文</translation>
    </message>
    <message>
        <source>%1: paraphrases are closer than unrelated sentences by %2 at the embeddings and %3 after the last block (largest %4, at layer point %5)</source>
        <translation>%1：同义句比无关句更接近，在嵌入处相差 %2，在最后一块之后相差 %3（最大 %4，在层位置 %5）</translation>
    </message>
    <message>
        <source>The gap widens with depth: meaning converges while the words differ.</source>
        <translation>差距随深度扩大：词语不同而意义趋同。</translation>
    </message>
    <message>
        <source>The gap does not widen with depth in every language: this model does not show the convergence clearly.</source>
        <translation>并非每种语言的差距都随深度扩大：这个模型没有清楚地表现出趋同。</translation>
    </message>
    <message>
        <source>6. What each head does: the role mix by depth</source>
        <translation>6. 每个头做什么：各深度的角色构成</translation>
    </message>
    <message>
        <source>Heads specialise: previous-token, local and sink heads early, induction and longer-range roles deeper.</source>
        <translation>注意力头各有专长：前一词元、局部和汇聚头在浅层，归纳和更远距离的角色在深层。</translation>
    </message>
    <message>
        <source>Dominant role of each head, by layer</source>
        <translation>各层每个头的主导角色</translation>
    </message>
    <message>
        <source>Heads</source>
        <translation>注意力头</translation>
    </message>
    <message>
        <source>%1: %2 (layer %3)</source>
        <translation>%1：%2 个（第 %3 层）</translation>
    </message>
    <message>
        <source>%1: %2 (layers %3-%4, mean %5)</source>
        <translation>%1：%2 个（第 %3-%4 层，平均 %5）</translation>
    </message>
    <message>
        <source>No head reaches the threshold of any role: every head is diffuse or mixed on this text.</source>
        <translation>没有头达到任何角色的阈值：在这段文本上每个头都是弥散或混合的。</translation>
    </message>
    <message>
        <source>Heads by dominant role: %1.</source>
        <translation>按主导角色统计的头：%1。</translation>
    </message>
    <message>
        <source>No head has these roles here: %1.</source>
        <translation>这里没有头具有这些角色：%1。</translation>
    </message>
    <message>
        <source>7. The clearest head of each role</source>
        <translation>7. 每种角色最清楚的头</translation>
    </message>
    <message>
        <source>Each role is a visible attention pattern.</source>
        <translation>每种角色都是一种可见的注意力模式。</translation>
    </message>
    <message>
        <source>%1: layer %2, head %3 (score %4)</source>
        <translation>%1：第 %2 层，第 %3 个头（得分 %4）</translation>
    </message>
    <message>
        <source>Key</source>
        <translation>键</translation>
    </message>
    <message>
        <source>Query</source>
        <translation>查询</translation>
    </message>
    <message>
        <source>on the prompt's first tokens repeated</source>
        <translation>在重复两遍的提示开头词元上</translation>
    </message>
    <message>
        <source>%1: L%2 H%3</source>
        <translation>%1：L%2 H%3</translation>
    </message>
    <message>
        <source>No head has a role to show.</source>
        <translation>没有可展示角色的头。</translation>
    </message>
    <message>
        <source>Clearest head of each role found (the first %1 tokens of the prompt shown; induction and duplicate-token heads on its first tokens repeated): %2.</source>
        <translation>找到的每种角色最清楚的头（显示提示的前 %1 个词元；归纳头和重复词元头显示在重复两遍的开头词元上）：%2。</translation>
    </message>
</context>
<context>
    <name>strata::AblationPanel</name>
    <message>
        <source>No head of the current run has that role.</source>
        <translation>当前运行中没有注意力头具有该角色。</translation>
    </message>
    <message>
        <source>Ablate heads</source>
        <translation>消融注意力头</translation>
    </message>
    <message>
        <source>Steer</source>
        <translation>引导</translation>
    </message>
    <message>
        <source>Heads</source>
        <translation>注意力头</translation>
    </message>
    <message>
        <source>LAYER.HEAD, e.g. 1.3,2.0</source>
        <translation>层.头，例如 1.3,2.0</translation>
    </message>
    <message>
        <source>or all heads of a role…</source>
        <translation>或某一角色的全部注意力头…</translation>
    </message>
    <message>
        <source>Mode</source>
        <translation>模式</translation>
    </message>
    <message>
        <source>zero</source>
        <translation>置零</translation>
    </message>
    <message>
        <source>mean</source>
        <translation>平均</translation>
    </message>
    <message>
        <source>On</source>
        <translation>作用于</translation>
    </message>
    <message>
        <source>the current prompt</source>
        <translation>当前提示词</translation>
    </message>
    <message>
        <source>repeated random tokens</source>
        <translation>重复的随机词元</translation>
    </message>
    <message>
        <source>Ablate</source>
        <translation>消融</translation>
    </message>
    <message>
        <source>Export…</source>
        <translation>导出…</translation>
    </message>
    <message>
        <source>Steer towards (one sentence per line)</source>
        <translation>引导朝向（每行一句）</translation>
    </message>
    <message>
        <source>Steer away from</source>
        <translation>引导远离</translation>
    </message>
    <message>
        <source>Sentence sets kept in the session</source>
        <translation>会话中保存的句子集</translation>
    </message>
    <message>
        <source>Prompt</source>
        <translation>提示词</translation>
    </message>
    <message>
        <source>Layer</source>
        <translation>层</translation>
    </message>
    <message>
        <source>Strength</source>
        <translation>强度</translation>
    </message>
    <message>
        <source>Tokens</source>
        <translation>词元数</translation>
    </message>
    <message>
        <source>Generate</source>
        <translation>生成</translation>
    </message>
    <message>
        <source>Without steering</source>
        <translation>不引导</translation>
    </message>
    <message>
        <source>With steering</source>
        <translation>引导后</translation>
    </message>
    <message>
        <source>Load a model first.</source>
        <translation>请先加载模型。</translation>
    </message>
    <message>
        <source>Run a prompt with this model first, or ablate on repeated random tokens.</source>
        <translation>请先用此模型运行一个提示词，或在重复的随机词元上消融。</translation>
    </message>
    <message>
        <source>Ablating %1…</source>
        <translation>正在消融 %1…</translation>
    </message>
    <message>
        <source>Ablating heads</source>
        <translation>正在消融注意力头</translation>
    </message>
    <message>
        <source>Ablation cancelled.</source>
        <translation>消融已取消。</translation>
    </message>
    <message>
        <source>Ablation failed: %1</source>
        <translation>消融失败：%1</translation>
    </message>
    <message>
        <source>Ablated %1 (%2): mean loss %3 → %4 nats.</source>
        <translation>已消融 %1（%2）：平均损失 %3 → %4 奈特。</translation>
    </message>
    <message>
        <source>Next-token loss before and after %1-ablating heads %2 · %3</source>
        <translation>%1消融注意力头 %2 前后的下一个词元损失 · %3</translation>
    </message>
    <message>
        <source>loss before</source>
        <translation>消融前损失</translation>
    </message>
    <message>
        <source>loss after</source>
        <translation>消融后损失</translation>
    </message>
    <message>
        <source>Each token's loss before and after the ablation will be drawn here.</source>
        <translation>这里将绘制每个词元在消融前后的损失。</translation>
    </message>
    <message>
        <source>Load a model, then name heads (or pick a role) and press Ablate; the head atlas can send heads here too.</source>
        <translation>请加载模型，然后填写注意力头（或选择角色）并点击“消融”；也可以从注意力头图谱发送注意力头到这里。</translation>
    </message>
    <message>
        <source>Name heads (or pick a role) and press Ablate: each token's loss before and after shows what they did.</source>
        <translation>填写注意力头（或选择角色）并点击“消融”：每个词元前后的损失显示它们做了什么。</translation>
    </message>
    <message>
        <source>before (mean %1)</source>
        <translation>消融前（平均 %1）</translation>
    </message>
    <message>
        <source>after %1-ablating %2 (mean %3)</source>
        <translation>%1消融 %2 后（平均 %3）</translation>
    </message>
    <message>
        <source>second copy</source>
        <translation>第二遍</translation>
    </message>
    <message>
        <source>position (predicting the next token)</source>
        <translation>位置（预测下一个词元）</translation>
    </message>
    <message>
        <source>loss (nats)</source>
        <translation>损失（奈特）</translation>
    </message>
    <message>
        <source>Mean next-token loss %1 → %2 nats; the prediction changed at %3 of %4 positions.</source>
        <translation>下一个词元的平均损失 %1 → %2 奈特；%4 个位置中有 %3 个的预测改变。</translation>
    </message>
    <message>
        <source> In-context copying (first copy − second copy loss): %1 → %2 nats.</source>
        <translation> 上下文复制（第一遍 − 第二遍损失）：%1 → %2 奈特。</translation>
    </message>
    <message>
        <source>Type sentences on both sides and a prompt to continue.</source>
        <translation>请在两侧输入句子，并输入要续写的提示词。</translation>
    </message>
    <message>
        <source>Generating with and without steering…</source>
        <translation>正在分别生成引导与不引导的续写…</translation>
    </message>
    <message>
        <source>Steering</source>
        <translation>引导</translation>
    </message>
    <message>
        <source>Steering cancelled.</source>
        <translation>引导已取消。</translation>
    </message>
    <message>
        <source>Steering failed: %1</source>
        <translation>引导失败：%1</translation>
    </message>
    <message>
        <source>&lt;p&gt;&lt;i&gt;Without steering&lt;/i&gt;&lt;/p&gt;</source>
        <translation>&lt;p&gt;&lt;i&gt;不引导&lt;/i&gt;&lt;/p&gt;</translation>
    </message>
    <message>
        <source>&lt;p&gt;&lt;i&gt;With steering (layer %1, strength %2)&lt;/i&gt;&lt;/p&gt;</source>
        <translation>&lt;p&gt;&lt;i&gt;引导后（第 %1 层，强度 %2）&lt;/i&gt;&lt;/p&gt;</translation>
    </message>
    <message>
        <source>Direction: mean of resid_pre.%1 over %2 tokens towards minus %3 tokens away; its norm %4 against a mean residual norm of %5.</source>
        <translation>方向：resid_pre.%1 在 %2 个“朝向”词元上的均值减去 %3 个“远离”词元上的均值；其范数 %4，残差平均范数 %5。</translation>
    </message>
    <message>
        <source>—</source>
        <translation>—</translation>
    </message>
    <message>
        <source>Finding the heads of that role…</source>
        <translation>正在查找该角色的注意力头…</translation>
    </message>
    <message>
        <source>Scoring heads</source>
        <translation>正在为注意力头打分</translation>
    </message>
</context>
<context>
    <name>strata::AboutDialog</name>
    <message>
        <source>About Strata</source>
        <translation>关于 Strata</translation>
    </message>
    <message>
        <source>&lt;h2&gt;Strata&lt;/h2&gt;&lt;p&gt;See how a GPT-style model builds meaning layer by layer.&lt;/p&gt;</source>
        <translation>&lt;h2&gt;Strata&lt;/h2&gt;&lt;p&gt;观察 GPT 类模型如何逐层构建语义。&lt;/p&gt;</translation>
    </message>
</context>
<context>
    <name>strata::AppContext</name>
    <message>
        <source>Loading model %1…</source>
        <translation>正在加载模型 %1…</translation>
    </message>
    <message>
        <source>Loading %1</source>
        <translation>正在加载 %1</translation>
    </message>
    <message>
        <source>Loading cancelled.</source>
        <translation>加载已取消。</translation>
    </message>
    <message>
        <source>Could not load %1: %2</source>
        <translation>无法加载 %1：%2</translation>
    </message>
    <message>
        <source>Loaded %1: %2 layers, %3 heads, d=%4.</source>
        <translation>已加载 %1：%2 层，%3 个注意力头，d=%4。</translation>
    </message>
    <message>
        <source>Model unloaded.</source>
        <translation>模型已卸载。</translation>
    </message>
    <message>
        <source>No model is loaded. Open one from the Model panel or the File menu.</source>
        <translation>尚未加载模型。请在“模型”面板或“文件”菜单中打开一个模型。</translation>
    </message>
    <message>
        <source>Tracing prompt</source>
        <translation>正在追踪提示词</translation>
    </message>
    <message>
        <source>Run cancelled; the previous run is still shown.</source>
        <translation>运行已取消；仍显示上一次的运行结果。</translation>
    </message>
    <message>
        <source>Run failed: %1</source>
        <translation>运行失败：%1</translation>
    </message>
    <message>
        <source>Traced %1 tokens in %2 ms.</source>
        <translation>已追踪 %1 个词元，用时 %2 毫秒。</translation>
    </message>
    <message>
        <source>Generating</source>
        <translation>正在生成</translation>
    </message>
    <message>
        <source>Generation failed: %1</source>
        <translation>生成失败：%1</translation>
    </message>
    <message>
        <source>Induction test</source>
        <translation>归纳测试</translation>
    </message>
    <message>
        <source>Induction test failed: %1</source>
        <translation>归纳测试失败：%1</translation>
    </message>
    <message>
        <source>Induction test: loss %1 → %2 nats from the first to the second copy.</source>
        <translation>归纳测试：损失从第一遍的 %1 降到第二遍的 %2 奈特。</translation>
    </message>
    <message>
        <source>Opened workspace %1 read-only: runs are not saved to it.</source>
        <translation>已以只读方式打开工作区 %1：运行不会保存到其中。</translation>
    </message>
    <message>
        <source>Workspace: %1</source>
        <translation>工作区：%1</translation>
    </message>
    <message>
        <source>%1 failed: %2</source>
        <translation>%1失败：%2</translation>
    </message>
    <message>
        <source>Session of %1</source>
        <translation>%1 的会话</translation>
    </message>
    <message>
        <source>The run was not saved: the workspace is read-only.</source>
        <translation>运行未保存：工作区是只读的。</translation>
    </message>
    <message>
        <source>Saving the run</source>
        <translation>正在保存运行</translation>
    </message>
    <message>
        <source>Saving the run failed: %1</source>
        <translation>保存运行失败：%1</translation>
    </message>
    <message>
        <source>Saving the run (it stays on screen; File › Save run tries again)</source>
        <translation>保存运行（它仍显示在屏幕上；“文件 › 保存运行”可重试）</translation>
    </message>
    <message>
        <source>Opening the run</source>
        <translation>打开运行</translation>
    </message>
    <message>
        <source>The trace of this run was not kept; recomputing it with %1.</source>
        <translation>此运行的追踪数据未保留；正在用 %1 重新计算。</translation>
    </message>
    <message>
        <source>The trace of this run was not kept and its model (%1) is not loaded: load it, then open the run again to recompute it.</source>
        <translation>此运行的追踪数据未保留，且其模型（%1）未加载：请先加载该模型，再重新打开此运行以重新计算。</translation>
    </message>
    <message>
        <source>Showing a stored run of %1. Panels that need the model itself (logit lens, next token) wait until it is loaded.</source>
        <translation>正在显示 %1 的已保存运行。需要模型本身的面板（logit lens、下一个词元）会等到模型加载后再显示。</translation>
    </message>
    <message>
        <source>Keeping the recomputed trace</source>
        <translation>保存重新计算的追踪数据</translation>
    </message>
    <message>
        <source>The stored trace of run %1 is damaged (%2); recomputing it with %3.</source>
        <translation>运行 %1 保存的轨迹已损坏（%2）；正在用 %3 重新计算。</translation>
    </message>
    <message>
        <source>The stored trace of run %1 is damaged (%2). Load its model (%3) and open the run again to recompute it.</source>
        <translation>运行 %1 保存的轨迹已损坏（%2）。请加载它的模型（%3），再次打开该运行以重新计算。</translation>
    </message>
    <message>
        <source>%1 · my runs</source>
        <translation>%1 · 我的运行</translation>
    </message>
    <message>
        <source>Runs made while the batch session %1 was open.</source>
        <translation>打开批处理会话 %1 时所做的运行。</translation>
    </message>
    <message>
        <source>The batch session %1 keeps only its items; new runs and results are kept in the session %2.</source>
        <translation>批处理会话 %1 只保存其条目；新的运行和结果保存在会话 %2 中。</translation>
    </message>
</context>
<context>
    <name>strata::AttentionOverviewPanel</name>
    <message>
        <source>Every head of every layer (rows: layers, columns: heads). Click one to focus it.</source>
        <translation>每一层的每个注意力头（行：层，列：头）。点击一个即可聚焦查看。</translation>
    </message>
    <message>
        <source>Export…</source>
        <translation>导出…</translation>
    </message>
</context>
<context>
    <name>strata::AttentionPanel</name>
    <message>
        <source>Layer</source>
        <translation>层</translation>
    </message>
    <message>
        <source>Head</source>
        <translation>注意力头</translation>
    </message>
    <message>
        <source>Scale</source>
        <translation>刻度</translation>
    </message>
    <message>
        <source>Linear</source>
        <translation>线性</translation>
    </message>
    <message>
        <source>Log</source>
        <translation>对数</translation>
    </message>
    <message>
        <source>Per-row max</source>
        <translation>按行最大值</translation>
    </message>
    <message>
        <source>Export…</source>
        <translation>导出…</translation>
    </message>
    <message>
        <source>Key (attended-to token)</source>
        <translation>键（被关注的词元）</translation>
    </message>
    <message>
        <source>Query (attending token)</source>
        <translation>查询（发出关注的词元）</translation>
    </message>
    <message>
        <source>Attention weight</source>
        <translation>注意力权重</translation>
    </message>
    <message>
        <source>Attention of this layer was not captured.</source>
        <translation>未捕获该层的注意力。</translation>
    </message>
    <message>
        <source>Run a prompt to see its attention.</source>
        <translation>运行一个提示词以查看其注意力。</translation>
    </message>
    <message>
        <source>log10 attention weight</source>
        <translation>log10 注意力权重</translation>
    </message>
    <message>
        <source>Weight / row maximum</source>
        <translation>权重 / 行最大值</translation>
    </message>
    <message>
        <source>Layer %1, head %2%3 · %4 tokens · %5 · keys Alt+←/→ head, Alt+↑/↓ layer</source>
        <translation>第 %1 层，第 %2 个头%3 · %4 个词元 · %5 · 按键 Alt+←/→ 切换头，Alt+↑/↓ 切换层</translation>
    </message>
    <message>
        <source> (reads KV head %1)</source>
        <translation>（读取 KV 头 %1）</translation>
    </message>
    <message>
        <source>query #%1 '%2'
key #%3 '%4'
weight %5</source>
        <translation>查询 #%1 '%2'
键 #%3 '%4'
权重 %5</translation>
    </message>
</context>
<context>
    <name>strata::ComparePanel</name>
    <message>
        <source>&lt;b&gt;A&lt;/b&gt; (the current run): %1</source>
        <translation>&lt;b&gt;A&lt;/b&gt;（当前运行）：%1</translation>
    </message>
    <message>
        <source>&lt;b&gt;A&lt;/b&gt;: run a prompt first; it is run A.</source>
        <translation>&lt;b&gt;A&lt;/b&gt;：请先运行一个提示词，它就是运行 A。</translation>
    </message>
    <message>
        <source>B prompt</source>
        <translation>B 提示词</translation>
    </message>
    <message>
        <source>e.g. the same sentence with the names swapped</source>
        <translation>例如：交换人名后的同一句话</translation>
    </message>
    <message>
        <source>Compare</source>
        <translation>比较</translation>
    </message>
    <message>
        <source>B model</source>
        <translation>B 模型</translation>
    </message>
    <message>
        <source>optional: another model (folder, .gguf, Hub id); empty = the loaded one</source>
        <translation>可选：另一个模型（文件夹、.gguf、Hub ID）；留空 = 当前加载的模型</translation>
    </message>
    <message>
        <source>Answers</source>
        <translation>答案</translation>
    </message>
    <message>
        <source>answer 1, e.g. ' Mary'</source>
        <translation>答案 1，例如 ' Mary'</translation>
    </message>
    <message>
        <source>answer 2, e.g. ' John'</source>
        <translation>答案 2，例如 ' John'</translation>
    </message>
    <message>
        <source>Head score</source>
        <translation>注意力头分数</translation>
    </message>
    <message>
        <source>Similarity by layer</source>
        <translation>逐层相似度</translation>
    </message>
    <message>
        <source>Logit difference</source>
        <translation>logit 差</translation>
    </message>
    <message>
        <source>Heads that differ</source>
        <translation>差异最大的注意力头</translation>
    </message>
    <message>
        <source>Notes on this comparison…</source>
        <translation>关于此比较的笔记…</translation>
    </message>
    <message>
        <source>Save comparison</source>
        <translation>保存比较</translation>
    </message>
    <message>
        <source>Saved</source>
        <translation>已保存</translation>
    </message>
    <message>
        <source>Export…</source>
        <translation>导出…</translation>
    </message>
    <message>
        <source>Compare the current run with a second prompt (clean vs corrupted) or with another model.</source>
        <translation>将当前运行与第二个提示词（干净 vs 损坏）或另一个模型进行比较。</translation>
    </message>
    <message>
        <source>Run a prompt first (it becomes A), then give prompt B.</source>
        <translation>请先运行一个提示词（它成为 A），再输入提示词 B。</translation>
    </message>
    <message>
        <source>Tracing B…</source>
        <translation>正在追踪 B…</translation>
    </message>
    <message>
        <source>Tracing prompt B</source>
        <translation>追踪提示词 B</translation>
    </message>
    <message>
        <source>Cancelled.</source>
        <translation>已取消。</translation>
    </message>
    <message>
        <source>Could not run B: %1</source>
        <translation>无法运行 B：%1</translation>
    </message>
    <message>
        <source>A: %1 tokens on %2 · B: %3 tokens on %4</source>
        <translation>A：%1 个词元，模型 %2 · B：%3 个词元，模型 %4</translation>
    </message>
    <message>
        <source>Same length, aligned by position; differing tokens: %1</source>
        <translation>长度相同，按位置对齐；不同的词元：%1</translation>
    </message>
    <message>
        <source>Different lengths: %1 tokens aligned by their longest common subsequence; only in A: %2; only in B: %3</source>
        <translation>长度不同：%1 个词元按最长公共子序列对齐；仅在 A 中：%2；仅在 B 中：%3</translation>
    </message>
    <message>
        <source>none</source>
        <translation>无</translation>
    </message>
    <message>
        <source>Two models: layers are matched by relative depth; vectors are compared by CKA over aligned tokens, heads by their role mix, not one by one.</source>
        <translation>两个模型：按相对深度匹配层；向量用对齐词元上的 CKA 比较，注意力头按角色构成比较，而非一一对应。</translation>
    </message>
    <message>
        <source>Logit difference: logit(%1) − logit(%2) at the last position.</source>
        <translation>logit 差：最后位置上的 logit(%1) − logit(%2)。</translation>
    </message>
    <message>
        <source>Load the runs' model to see the logit difference through the layers.</source>
        <translation>加载这些运行的模型后即可查看各层的 logit 差。</translation>
    </message>
    <message>
        <source>A  (layer %1, head %2)</source>
        <translation>A（第 %1 层，第 %2 个头）</translation>
    </message>
    <message>
        <source>B</source>
        <translation>B</translation>
    </message>
    <message>
        <source>A − B</source>
        <translation>A − B</translation>
    </message>
    <message>
        <source>Attention over aligned tokens; → marks a token that differs</source>
        <translation>对齐词元上的注意力；→ 标出不同的词元</translation>
    </message>
    <message>
        <source>emb</source>
        <translation>嵌入</translation>
    </message>
    <message>
        <source>mean cosine over aligned positions</source>
        <translation>对齐位置的平均余弦</translation>
    </message>
    <message>
        <source>cosine of sentence vectors (mean-pooled)</source>
        <translation>句子向量的余弦（平均池化）</translation>
    </message>
    <message>
        <source>linear CKA over aligned tokens</source>
        <translation>对齐词元上的线性 CKA</translation>
    </message>
    <message>
        <source>Layer</source>
        <translation>层</translation>
    </message>
    <message>
        <source>Layer of A (B at the same relative depth)</source>
        <translation>A 的层（B 取相同相对深度）</translation>
    </message>
    <message>
        <source>Similarity of A and B</source>
        <translation>A 与 B 的相似度</translation>
    </message>
    <message>
        <source>A</source>
        <translation>A</translation>
    </message>
    <message>
        <source>After block</source>
        <translation>第几个块之后</translation>
    </message>
    <message>
        <source>Logit difference (answer 1 − answer 2)</source>
        <translation>logit 差（答案 1 − 答案 2）</translation>
    </message>
    <message>
        <source>Relative depth</source>
        <translation>相对深度</translation>
    </message>
    <message>
        <source>A: roles</source>
        <translation>A：角色</translation>
    </message>
    <message>
        <source>B: roles</source>
        <translation>B：角色</translation>
    </message>
    <message>
        <source>Head</source>
        <translation>注意力头</translation>
    </message>
    <message>
        <source>Attention A − B, layer %1, head %2 (rows: query, columns: key)</source>
        <translation>注意力 A − B，第 %1 层，第 %2 个头（行：查询，列：键）</translation>
    </message>
    <message>
        <source>Nothing to save, or the workspace is read-only.</source>
        <translation>没有可保存的内容，或工作区是只读的。</translation>
    </message>
    <message>
        <source>Saving the comparison</source>
        <translation>保存比较</translation>
    </message>
    <message>
        <source>Saved in the session.</source>
        <translation>已保存到会话中。</translation>
    </message>
    <message>
        <source>That comparison is no longer in this session.</source>
        <translation>该比较已不在此会话中。</translation>
    </message>
    <message>
        <source>A trace of this comparison was not kept (size budget); open its runs from the session browser to recompute them.</source>
        <translation>此比较的某个追踪数据未保留（大小预算）；请在会话浏览器中打开其运行以重新计算。</translation>
    </message>
    <message>
        <source>Opening the comparison</source>
        <translation>打开比较</translation>
    </message>
    <message>
        <source>PCA of A and B</source>
        <translation>A 与 B 的 PCA</translation>
    </message>
    <message>
        <source>Logit lens A | B</source>
        <translation>Logit 透镜 A | B</translation>
    </message>
    <message>
        <source>Contributions A | B</source>
        <translation>贡献 A | B</translation>
    </message>
    <message>
        <source>Two models' vectors live in different spaces: no shared PCA (see CKA by layer).</source>
        <translation>两个模型的向量位于不同空间：没有共享的 PCA（请看逐层 CKA）。</translation>
    </message>
    <message>
        <source>A tokens</source>
        <translation>A 的词元</translation>
    </message>
    <message>
        <source>B tokens</source>
        <translation>B 的词元</translation>
    </message>
    <message>
        <source>PC1 (%1% of variance), layer %2; lines join aligned tokens</source>
        <translation>PC1（方差的 %1%），第 %2 层；连线连接对齐的词元</translation>
    </message>
    <message>
        <source>PC2 (%1%)</source>
        <translation>PC2（%1%）</translation>
    </message>
    <message>
        <source>Load the runs' models to read their layers through the unembedding.</source>
        <translation>加载这些运行的模型后，即可通过反嵌入读取各层。</translation>
    </message>
    <message>
        <source>After block (relative depth)</source>
        <translation>第几个块之后（相对深度）</translation>
    </message>
    <message>
        <source>A: top prediction at the last token</source>
        <translation>A：最后一个词元处的首选预测</translation>
    </message>
    <message>
        <source>B: top prediction at the last token</source>
        <translation>B：最后一个词元处的首选预测</translation>
    </message>
    <message>
        <source>A attention output</source>
        <translation>A 注意力输出</translation>
    </message>
    <message>
        <source>A MLP output</source>
        <translation>A MLP 输出</translation>
    </message>
    <message>
        <source>B attention output</source>
        <translation>B 注意力输出</translation>
    </message>
    <message>
        <source>B MLP output</source>
        <translation>B MLP 输出</translation>
    </message>
    <message>
        <source>Relative depth (0 = first block, 1 = last)</source>
        <translation>相对深度（0 = 第一个块，1 = 最后一个）</translation>
    </message>
    <message>
        <source>Mean norm written per token</source>
        <translation>每词元写入的平均范数</translation>
    </message>
    <message>
        <source>Attention heatmaps (A, B, A − B)…</source>
        <translation>注意力热图（A、B、A − B）…</translation>
    </message>
    <message>
        <source>The open tab: %1…</source>
        <translation>当前标签页：%1…</translation>
    </message>
    <message>
        <source>Patch A → B…</source>
        <translation>修补 A → B…</translation>
    </message>
    <message>
        <source>Activation patching with A as the clean and B as the corrupted prompt, and the two answers</source>
        <translation>以 A 为干净提示词、B 为损坏提示词，并用这两个答案做激活修补</translation>
    </message>
    <message>
        <source>Patching needs run A (the current run) and a B prompt.</source>
        <translation>修补需要运行 A（当前运行）和一个 B 提示词。</translation>
    </message>
    <message>
        <source>Compared A (%1 tokens) with B (%2 tokens) on %3.</source>
        <translation>已在 %3 上比较 A（%1 个词元）与 B（%2 个词元）。</translation>
    </message>
    <message>
        <source>Type a B prompt and press Compare: how alike A and B are at each layer appears here.</source>
        <translation>输入 B 提示并点击“比较”：A 与 B 在每一层的相似程度将显示在这里。</translation>
    </message>
    <message>
        <source>Give two answers and press Compare: their logit difference through the layers appears here.</source>
        <translation>给出两个答案并点击“比较”：它们在各层的 logit 差将显示在这里。</translation>
    </message>
    <message>
        <source>Compute</source>
        <translation>计算精度</translation>
    </message>
    <message>
        <source>as loaded</source>
        <translation>与已加载模型相同</translation>
    </message>
    <message>
        <source>f32 (exact)</source>
        <translation>f32（精确）</translation>
    </message>
    <message>
        <source>bf16</source>
        <translation>bf16</translation>
    </message>
    <message>
        <source>The compute precision of run B. With no B model, B runs on the loaded model again at this precision: the same prompt at f32 and bf16 shows how much heads, residuals and the logit lens move in bf16.</source>
        <translation>B 运行的计算精度。未指定 B 模型时，B 以此精度在已加载的模型上再运行一次：同一提示分别以 f32 和 bf16 运行，可看出注意力头、残差流和 logit 透镜在 bf16 下变化多少。</translation>
    </message>
    <message>
        <source>Only the precision differs, %1 against f32%2: attention up to %3 apart; next-token top-1 agreement %4 % (%5 positions); relative error of the residual stream up to %6, of the logits %7.</source>
        <translation>两次运行仅精度不同，%1 对比 f32%2：注意力最多相差 %3；下一词元 top-1 一致率 %4 %（%5 个位置）；残差流相对误差最高 %6，logits 相对误差 %7。</translation>
    </message>
    <message>
        <source> (emulated on this CPU)</source>
        <translation>（此 CPU 上为模拟实现）</translation>
    </message>
    <message>
        <source>%1; same tokens in both runs.</source>
        <translation>%1；两次运行的词元相同。</translation>
    </message>
</context>
<context>
    <name>strata::ContributionsPanel</name>
    <message>
        <source>Mean L2 norm per token of what each layer's attention and MLP write into the residual stream, and of the stream itself.</source>
        <translation>每一层的注意力和 MLP 写入残差流的内容的每词元平均 L2 范数，以及残差流本身的范数。</translation>
    </message>
    <message>
        <source>Export…</source>
        <translation>导出…</translation>
    </message>
    <message>
        <source>attention output</source>
        <translation>注意力输出</translation>
    </message>
    <message>
        <source>MLP output</source>
        <translation>MLP 输出</translation>
    </message>
    <message>
        <source>residual stream (right axis)</source>
        <translation>残差流（右轴）</translation>
    </message>
    <message>
        <source>Layer</source>
        <translation>层</translation>
    </message>
    <message>
        <source>Mean norm written per token</source>
        <translation>每词元写入的平均范数</translation>
    </message>
    <message>
        <source>Residual stream norm</source>
        <translation>残差流范数</translation>
    </message>
    <message>
        <source>Direct effect on the logit of</source>
        <translation>对以下词元 logit 的直接效应：</translation>
    </message>
    <message>
        <source>a token, e.g. ' Mary' (empty: the model's prediction)</source>
        <translation>一个词元，例如 ' Mary'（留空：模型的预测）</translation>
    </message>
    <message>
        <source>Load this run's model to see the direct effect of each layer on a token's logit.</source>
        <translation>加载此运行的模型后，即可查看每一层对某个词元 logit 的直接效应。</translation>
    </message>
    <message>
        <source>After '%1' (#%2): logit of '%3' is %4. Each bar: how much it drops when that sublayer's output is removed from the final residual stream (direct path only, final norm recomputed).</source>
        <translation>在 '%1'（#%2）之后：'%3' 的 logit 为 %4。每个柱：从最终残差流中去掉该子层的输出后 logit 下降多少（仅直接路径，重新计算最终归一化）。</translation>
    </message>
    <message>
        <source>embeddings</source>
        <translation>嵌入</translation>
    </message>
    <message>
        <source>emb</source>
        <translation>嵌入</translation>
    </message>
    <message>
        <source>Direct effect on the logit</source>
        <translation>对 logit 的直接效应</translation>
    </message>
    <message>
        <source>Per head</source>
        <translation>逐个注意力头</translation>
    </message>
    <message>
        <source>Run the prompt again keeping what each head writes, and show each head's direct effect</source>
        <translation>重新运行提示词并保留每个注意力头写入的内容，显示每个头的直接效应</translation>
    </message>
    <message>
        <source>Per-head outputs</source>
        <translation>逐头输出</translation>
    </message>
    <message>
        <source>Per-head outputs failed: %1</source>
        <translation>逐头输出失败：%1</translation>
    </message>
    <message>
        <source>Per head: press “Per head”</source>
        <translation>逐头效应：请点击“逐个注意力头”</translation>
    </message>
    <message>
        <source>Direct effect</source>
        <translation>直接效应</translation>
    </message>
    <message>
        <source>Head</source>
        <translation>注意力头</translation>
    </message>
</context>
<context>
    <name>strata::DatasetPanel</name>
    <message>
        <source>Head scores (mean over items, 95 % interval)</source>
        <translation>头得分（条目平均，95% 区间）</translation>
    </message>
    <message>
        <source>Logit lens by layer</source>
        <translation>各层 logit lens</translation>
    </message>
    <message>
        <source>Similarity of layers</source>
        <translation>层间相似度</translation>
    </message>
    <message>
        <source>Patching, mean over pairs</source>
        <translation>修补（对的平均）</translation>
    </message>
    <message>
        <source>Probe accuracy by layer</source>
        <translation>各层探针准确率</translation>
    </message>
    <message>
        <source>Model:</source>
        <translation>模型：</translation>
    </message>
    <message>
        <source>Score:</source>
        <translation>得分：</translation>
    </message>
    <message>
        <source>Export…</source>
        <translation>导出…</translation>
    </message>
    <message>
        <source>Save this figure (PNG, SVG, PDF) or its numbers (CSV, JSON)</source>
        <translation>保存此图（PNG、SVG、PDF）或其数值（CSV、JSON）</translation>
    </message>
    <message>
        <source>Head</source>
        <translation>注意力头</translation>
    </message>
    <message>
        <source>Mean [95 % interval]</source>
        <translation>平均值 [95% 区间]</translation>
    </message>
    <message>
        <source>Items</source>
        <translation>条目数</translation>
    </message>
    <message>
        <source>Batch “%1”: %2 of %3 items in %4 shards.</source>
        <translation>批处理“%1”：%3 个条目中的 %2 个，共 %4 个分片。</translation>
    </message>
    <message>
        <source>No batch session is open.</source>
        <translation>未打开批处理会话。</translation>
    </message>
    <message>
        <source>Open a batch session in Sessions to see figures over its whole dataset.
Make one with strata-cli batch SPEC --out DIR, then strata-cli batch-merge DIR --into WORKSPACE.</source>
        <translation>在“会话”中打开一个批处理会话，即可查看其整个数据集上的图表。
用 strata-cli batch SPEC --out DIR 生成，再用 strata-cli batch-merge DIR --into WORKSPACE 合并。</translation>
    </message>
    <message>
        <source>A batch runs a spec (models, a dataset, analyses) over thousands of items, on this machine or a Slurm cluster; see docs/BATCH.md.</source>
        <translation>批处理在本机或 Slurm 集群上对成千上万个条目运行一份规格（模型、数据集、分析）；见 docs/BATCH.md。</translation>
    </message>
    <message>
        <source>%1 items measured, %2 skipped, %3 tokens on average.</source>
        <translation>已测量 %1 个条目，跳过 %2 个，平均 %3 个词元。</translation>
    </message>
    <message>
        <source>Mean %1 per head</source>
        <translation>每个头的平均 %1</translation>
    </message>
    <message>
        <source>head</source>
        <translation>头</translation>
    </message>
    <message>
        <source>layer</source>
        <translation>层</translation>
    </message>
    <message>
        <source>The table ranks the heads by their mean; double-click one to select it in every panel.</source>
        <translation>表格按平均值为头排序；双击某个头即可在所有面板中选中它。</translation>
    </message>
    <message>
        <source>top-1 agrees with the final prediction</source>
        <translation>top-1 与最终预测一致</translation>
    </message>
    <message>
        <source>One probe per layer point (0 = embeddings), trained on %1.</source>
        <translation>每个层位一个探针（0 = 嵌入），在 %1 上训练。</translation>
    </message>
    <message>
        <source>layer point</source>
        <translation>层位</translation>
    </message>
    <message>
        <source>share of positions (mean over items, 95 % interval)</source>
        <translation>位置占比（条目平均，95% 区间）</translation>
    </message>
    <message>
        <source>accuracy</source>
        <translation>准确率</translation>
    </message>
    <message>
        <source>emb</source>
        <translation>嵌入</translation>
    </message>
    <message>
        <source>cosine (mean over items)</source>
        <translation>余弦（条目平均）</translation>
    </message>
    <message>
        <source>layer output</source>
        <translation>层输出</translation>
    </message>
    <message>
        <source>restored (1 = clean), mean</source>
        <translation>恢复程度（1 = 干净），平均</translation>
    </message>
</context>
<context>
    <name>strata::HeadAtlasPanel</name>
    <message>
        <source>Thresholds: sink / previous / induction</source>
        <translation>阈值：汇聚 / 前一词元 / 归纳</translation>
    </message>
    <message>
        <source>A head whose mean attention to position 0 exceeds this is a sink head</source>
        <translation>对位置 0 的平均注意力超过此值的头视为汇聚头</translation>
    </message>
    <message>
        <source>Previous-token score needed for the previous-token role</source>
        <translation>判定为“前一词元”角色所需的得分</translation>
    </message>
    <message>
        <source>Induction score needed for the induction role</source>
        <translation>判定为“归纳”角色所需的得分</translation>
    </message>
    <message>
        <source>Export…</source>
        <translation>导出…</translation>
    </message>
    <message>
        <source>Run a prompt to score its heads.</source>
        <translation>运行一个提示词以给注意力头打分。</translation>
    </message>
    <message>
        <source>Scores from the current run (%1 tokens); the induction test is running…</source>
        <translation>得分来自当前运行（%1 个词元）；归纳测试正在进行…</translation>
    </message>
    <message>
        <source>Scores from the current run (%1 tokens). Induction test: %2 random tokens repeated; loss %3 → %4 nats from the first to the second copy.</source>
        <translation>得分来自当前运行（%1 个词元）。归纳测试：%2 个随机词元重复两遍；损失从第一遍的 %3 降到第二遍的 %4 奈特。</translation>
    </message>
    <message>
        <source>Head</source>
        <translation>注意力头</translation>
    </message>
    <message>
        <source>Layer (0 = first)</source>
        <translation>层（0 = 第一层）</translation>
    </message>
    <message>
        <source>Layer</source>
        <translation>层</translation>
    </message>
    <message>
        <source>Heads</source>
        <translation>注意力头</translation>
    </message>
    <message>
        <source>Ablate selected</source>
        <translation>消融所选</translation>
    </message>
    <message>
        <source>Zero-ablate the heads selected in the table (Ctrl/Shift to select several) and see the loss change in the ablation panel</source>
        <translation>对表中所选的注意力头置零消融（按 Ctrl/Shift 多选），并在消融面板中查看损失的变化</translation>
    </message>
    <message>
        <source>Scoring heads</source>
        <translation>正在为注意力头打分</translation>
    </message>
    <message>
        <source>Scoring the heads of the current run (%1 tokens)…</source>
        <translation>正在为当前运行（%1 个词元）的注意力头打分…</translation>
    </message>
    <message>
        <source>Scoring the heads…</source>
        <translation>正在为注意力头打分…</translation>
    </message>
    <message>
        <source>L%1 H%2: %3
previous %4 · current %5 · local %6
BOS %7 · duplicate %8 · induction %9
distance %10 · entropy %11 · stripe %12
semantic %13 · block-sparse %14</source>
        <translation>L%1 H%2：%3
前一词元 %4 · 当前 %5 · 局部 %6
BOS %7 · 重复 %8 · 归纳 %9
距离 %10 · 熵 %11 · 条纹 %12
语义 %13 · 块稀疏 %14</translation>
    </message>
    <message>
        <source>Treebank for syntactic heads</source>
        <translation>用于句法头的树库</translation>
    </message>
    <message>
        <source>CoNLL-U (*.conllu);;All files (*)</source>
        <translation>CoNLL-U (*.conllu);;所有文件 (*)</translation>
    </message>
    <message>
        <source>Syntax from treebank…</source>
        <translation>从树库求句法…</translation>
    </message>
    <message>
        <source>Pick a CoNLL-U file: every head's best dependency relation, against the fixed-offset baseline (first 200 sentences)</source>
        <translation>选择一个 CoNLL-U 文件：每个头最擅长的依存关系，与固定偏移基线相比（前 200 句）</translation>
    </message>
    <message>
        <source>Syntax: %1 relations from %2 sentences of %3.</source>
        <translation>句法：来自 %3 的 %2 个句子中的 %1 种关系。</translation>
    </message>
    <message>
        <source>Syntactic heads</source>
        <translation>句法头</translation>
    </message>
    <message>
        <source>Syntactic heads: %1</source>
        <translation>句法头：%1</translation>
    </message>
</context>
<context>
    <name>strata::HeadScoresModel</name>
    <message>
        <source>Layer</source>
        <translation>层</translation>
    </message>
    <message>
        <source>Head</source>
        <translation>注意力头</translation>
    </message>
    <message>
        <source>Role</source>
        <translation>角色</translation>
    </message>
    <message>
        <source>Prev</source>
        <translation>前一</translation>
    </message>
    <message>
        <source>Current</source>
        <translation>当前</translation>
    </message>
    <message>
        <source>Local</source>
        <translation>局部</translation>
    </message>
    <message>
        <source>BOS</source>
        <translation>首位</translation>
    </message>
    <message>
        <source>Dup</source>
        <translation>重复</translation>
    </message>
    <message>
        <source>Induction</source>
        <translation>归纳</translation>
    </message>
    <message>
        <source>Distance</source>
        <translation>距离</translation>
    </message>
    <message>
        <source>Entropy</source>
        <translation>熵</translation>
    </message>
    <message>
        <source>Stripe</source>
        <translation>条纹</translation>
    </message>
    <message>
        <source>Mean attention to the previous token</source>
        <translation>对前一个词元的平均注意力</translation>
    </message>
    <message>
        <source>Mean attention to the token itself</source>
        <translation>对自身词元的平均注意力</translation>
    </message>
    <message>
        <source>Mean attention within the last 3 tokens</source>
        <translation>对最近 3 个词元的平均注意力</translation>
    </message>
    <message>
        <source>Mean attention to the first position (attention sink)</source>
        <translation>对第一个位置（注意力汇聚点）的平均注意力</translation>
    </message>
    <message>
        <source>Mean attention to earlier copies of the same token</source>
        <translation>对同一词元之前出现位置的平均注意力</translation>
    </message>
    <message>
        <source>Mean attention from the second copy of a repeated random sequence to the token after the earlier occurrence</source>
        <translation>在重复两遍的随机序列中，第二遍的词元对其前一次出现位置之后词元的平均注意力</translation>
    </message>
    <message>
        <source>Mean distance (in tokens) between a query and what it attends to</source>
        <translation>查询与其关注位置之间的平均距离（以词元计）</translation>
    </message>
    <message>
        <source>Attention entropy divided by its maximum (0 sharp, 1 uniform)</source>
        <translation>注意力熵除以其最大值（0 为集中，1 为均匀）</translation>
    </message>
    <message>
        <source>Largest mean attention any single later key receives</source>
        <translation>任一键位置从其后各查询获得的最大平均注意力</translation>
    </message>
    <message>
        <source>Semantic</source>
        <translation>语义</translation>
    </message>
    <message>
        <source>Block</source>
        <translation>块</translation>
    </message>
    <message>
        <source>How much more similar (cosine of the layer's input vectors) the attended keys are to the query than keys at the same distances on average</source>
        <translation>被关注的键与查询的相似度（该层输入向量的余弦）比相同距离上的键平均高出多少</translation>
    </message>
    <message>
        <source>How much more attention stays inside the query's own sentence than the head's distances alone would keep there</source>
        <translation>留在查询自身句子内的注意力比仅凭该头的距离分布所预期的多出多少</translation>
    </message>
    <message>
        <source>Syntax</source>
        <translation>句法</translation>
    </message>
    <message>
        <source>The dependency relation this head tracks best (treebank chosen in the atlas), as accuracy minus the best fixed-offset baseline</source>
        <translation>这个头最能追踪的依存关系（在图谱中选择的树库），以准确率减去最佳固定偏移基线表示</translation>
    </message>
</context>
<context>
    <name>strata::HeadThumbnails</name>
    <message>
        <source>Run a prompt to see every head at once.</source>
        <translation>运行一个提示词即可同时查看所有注意力头。</translation>
    </message>
</context>
<context>
    <name>strata::HubDownloadDialog</name>
    <message>
        <source>Download from the Hub</source>
        <translation>从 Hub 下载</translation>
    </message>
    <message>
        <source>Repository</source>
        <translation>仓库</translation>
    </message>
    <message>
        <source>Revision</source>
        <translation>版本</translation>
    </message>
    <message>
        <source>Endpoint</source>
        <translation>服务地址</translation>
    </message>
    <message>
        <source>Files go to the Hugging Face cache, where Python tools find them too. An interrupted download resumes.</source>
        <translation>文件保存到 Hugging Face 缓存中，Python 工具也能找到它们。中断的下载可以继续。</translation>
    </message>
    <message>
        <source>Download</source>
        <translation>下载</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <source>Downloading %1…</source>
        <translation>正在下载 %1…</translation>
    </message>
    <message>
        <source>Connecting to %1…</source>
        <translation>正在连接 %1…</translation>
    </message>
    <message>
        <source>Downloading %1</source>
        <translation>正在下载 %1</translation>
    </message>
    <message>
        <source>Cancelled. Downloading again resumes where it stopped.</source>
        <translation>已取消。再次下载将从中断处继续。</translation>
    </message>
    <message>
        <source>Failed: %1</source>
        <translation>失败：%1</translation>
    </message>
    <message>
        <source>Downloaded to %1</source>
        <translation>已下载到 %1</translation>
    </message>
</context>
<context>
    <name>strata::LayerReports</name>
    <message>
        <source>holds</source>
        <translation>成立</translation>
    </message>
    <message>
        <source>does not hold</source>
        <translation>不成立</translation>
    </message>
    <message>
        <source>not measured</source>
        <translation>未测量</translation>
    </message>
</context>
<context>
    <name>strata::LogitLensPanel</name>
    <message>
        <source>Layer %1, after '%2' (#%3)
model's final prediction: '%4' (rank here %5, p=%6)
</source>
        <translation>第 %1 层，读到 '%2'（#%3）之后
模型的最终预测：'%4'（在此处排名 %5，p=%6）
</translation>
    </message>
    <message>
        <source>Colour by</source>
        <translation>着色依据</translation>
    </message>
    <message>
        <source>Probability of the final prediction</source>
        <translation>最终预测的概率</translation>
    </message>
    <message>
        <source>Rank of the final prediction (log10)</source>
        <translation>最终预测的排名（log10）</translation>
    </message>
    <message>
        <source>KL to the final distribution (nats)</source>
        <translation>与最终分布的 KL 散度（奈特）</translation>
    </message>
    <message>
        <source>Probability of the top token</source>
        <translation>首选词元的概率</translation>
    </message>
    <message>
        <source>Export…</source>
        <translation>导出…</translation>
    </message>
    <message>
        <source>Position (the token read so far)</source>
        <translation>位置（已读到的词元）</translation>
    </message>
    <message>
        <source>Layer</source>
        <translation>层</translation>
    </message>
    <message>
        <source>Run a prompt to read its layers through the unembedding.</source>
        <translation>运行一个提示词，通过反嵌入读取各层的表示。</translation>
    </message>
    <message>
        <source>Computing the logit lens…</source>
        <translation>正在计算 logit 透镜…</translation>
    </message>
    <message>
        <source>Logit lens</source>
        <translation>Logit 透镜</translation>
    </message>
    <message>
        <source>Logit lens cancelled.</source>
        <translation>Logit 透镜已取消。</translation>
    </message>
    <message>
        <source>Logit lens failed: %1</source>
        <translation>Logit 透镜计算失败：%1</translation>
    </message>
    <message>
        <source>Each cell: the top token if the model stopped after that layer. Hover for the top 5; click a column to select it.</source>
        <translation>每个单元格：如果模型在该层停止时的首选词元。悬停查看前 5 名；点击一列以选中该位置。</translation>
    </message>
    <message>
        <source>p('%1')</source>
        <translation>p('%1')</translation>
    </message>
    <message>
        <source>KL to final (nats)</source>
        <translation>与最终分布的 KL（奈特）</translation>
    </message>
    <message>
        <source>Layer — position #%1 '%2'</source>
        <translation>层 — 位置 #%1 '%2'</translation>
    </message>
    <message>
        <source>KL (nats)</source>
        <translation>KL（奈特）</translation>
    </message>
    <message>
        <source>This run was made with %1; load that model to read its layers (the loaded %2 has another unembedding).</source>
        <translation>此运行由 %1 生成；请加载该模型以读取各层（已加载的 %2 的反嵌入不同）。</translation>
    </message>
</context>
<context>
    <name>strata::MainWindow</name>
    <message>
        <source>Open a Hugging Face model folder</source>
        <translation>打开 Hugging Face 模型文件夹</translation>
    </message>
    <message>
        <source>Open a GGUF model</source>
        <translation>打开 GGUF 模型</translation>
    </message>
    <message>
        <source>GGUF models (*.gguf);;All files (*)</source>
        <translation>GGUF 模型 (*.gguf);;所有文件 (*)</translation>
    </message>
    <message>
        <source>Language</source>
        <translation>语言</translation>
    </message>
    <message>
        <source>The translation for %1 could not be loaded.</source>
        <translation>无法加载 %1 的翻译。</translation>
    </message>
    <message>
        <source>Run failed: %1</source>
        <translation>运行失败：%1</translation>
    </message>
    <message>
        <source>Strata — layer-by-layer model workbench</source>
        <translation>Strata — 逐层模型分析工作台</translation>
    </message>
    <message>
        <source>&amp;File</source>
        <translation>文件(&amp;F)</translation>
    </message>
    <message>
        <source>&amp;Edit</source>
        <translation>编辑(&amp;E)</translation>
    </message>
    <message>
        <source>&amp;View</source>
        <translation>视图(&amp;V)</translation>
    </message>
    <message>
        <source>&amp;Run</source>
        <translation>运行(&amp;R)</translation>
    </message>
    <message>
        <source>&amp;Help</source>
        <translation>帮助(&amp;H)</translation>
    </message>
    <message>
        <source>&amp;Panels</source>
        <translation>面板(&amp;P)</translation>
    </message>
    <message>
        <source>&amp;Language</source>
        <translation>语言(&amp;L)</translation>
    </message>
    <message>
        <source>Open model &amp;folder…</source>
        <translation>打开模型文件夹(&amp;F)…</translation>
    </message>
    <message>
        <source>Open &amp;GGUF file…</source>
        <translation>打开 GGUF 文件(&amp;G)…</translation>
    </message>
    <message>
        <source>Open &amp;demo model</source>
        <translation>打开演示模型(&amp;D)</translation>
    </message>
    <message>
        <source>&amp;Unload model</source>
        <translation>卸载模型(&amp;U)</translation>
    </message>
    <message>
        <source>&amp;Export attention figure…</source>
        <translation>导出注意力图(&amp;E)…</translation>
    </message>
    <message>
        <source>&amp;Quit</source>
        <translation>退出(&amp;Q)</translation>
    </message>
    <message>
        <source>&amp;Reset layout</source>
        <translation>重置布局(&amp;R)</translation>
    </message>
    <message>
        <source>&amp;Run prompt</source>
        <translation>运行提示词(&amp;R)</translation>
    </message>
    <message>
        <source>&amp;Cancel running job</source>
        <translation>取消正在运行的任务(&amp;C)</translation>
    </message>
    <message>
        <source>Next head</source>
        <translation>下一个注意力头</translation>
    </message>
    <message>
        <source>Previous head</source>
        <translation>上一个注意力头</translation>
    </message>
    <message>
        <source>Next layer</source>
        <translation>下一层</translation>
    </message>
    <message>
        <source>Previous layer</source>
        <translation>上一层</translation>
    </message>
    <message>
        <source>Next token</source>
        <translation>下一个词元</translation>
    </message>
    <message>
        <source>Previous token</source>
        <translation>前一词元</translation>
    </message>
    <message>
        <source>&amp;Welcome</source>
        <translation>欢迎(&amp;W)</translation>
    </message>
    <message>
        <source>&amp;Keyboard shortcuts</source>
        <translation>键盘快捷键(&amp;K)</translation>
    </message>
    <message>
        <source>&amp;Plugins…</source>
        <translation>插件(&amp;P)…</translation>
    </message>
    <message>
        <source>&amp;About Strata</source>
        <translation>关于 Strata(&amp;A)</translation>
    </message>
    <message>
        <source>&amp;Undo</source>
        <translation>撤销(&amp;U)</translation>
    </message>
    <message>
        <source>&amp;Redo</source>
        <translation>重做(&amp;R)</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <source>&lt;h3&gt;Welcome to Strata&lt;/h3&gt;&lt;p&gt;Strata shows how a language model turns tokens into ever more abstract representations, layer by layer. Type a prompt, press Ctrl+Enter, then look:&lt;/p&gt;&lt;ul&gt;</source>
        <translation>&lt;h3&gt;欢迎使用 Strata&lt;/h3&gt;&lt;p&gt;Strata 展示语言模型如何逐层把词元变成越来越抽象的表示。输入提示词，按 Ctrl+Enter，然后查看：&lt;/p&gt;&lt;ul&gt;</translation>
    </message>
    <message>
        <source>Welcome</source>
        <translation>欢迎</translation>
    </message>
    <message>
        <source>Keyboard shortcuts</source>
        <translation>键盘快捷键</translation>
    </message>
    <message>
        <source>Action</source>
        <translation>操作</translation>
    </message>
    <message>
        <source>Shortcut</source>
        <translation>快捷键</translation>
    </message>
    <message>
        <source>Download from the &amp;Hub…</source>
        <translation>从 Hub 下载(&amp;H)…</translation>
    </message>
    <message>
        <source>New workspace</source>
        <translation>新建工作区</translation>
    </message>
    <message>
        <source>Strata workspaces (*.strata)</source>
        <translation>Strata 工作区 (*.strata)</translation>
    </message>
    <message>
        <source>%1 already exists. Open it with File › Open workspace, or choose another name.</source>
        <translation>%1 已存在。请用“文件 › 打开工作区”打开它，或选择其他名称。</translation>
    </message>
    <message>
        <source>Open workspace</source>
        <translation>打开工作区</translation>
    </message>
    <message>
        <source>Strata workspaces (*.strata *.stratasession);;All files (*)</source>
        <translation>Strata 工作区 (*.strata *.stratasession);;所有文件 (*)</translation>
    </message>
    <message>
        <source>The workspace was not opened; the current one stays open.

%1</source>
        <translation>工作区未打开；当前工作区保持打开。

%1</translation>
    </message>
    <message>
        <source>Save a copy of the workspace</source>
        <translation>保存工作区副本</translation>
    </message>
    <message>
        <source>Saving a copy</source>
        <translation>保存副本</translation>
    </message>
    <message>
        <source>Saved a copy of the workspace to %1.</source>
        <translation>已将工作区副本保存到 %1。</translation>
    </message>
    <message>
        <source>This run is already saved in the workspace.</source>
        <translation>此运行已保存在工作区中。</translation>
    </message>
    <message>
        <source>(none yet)</source>
        <translation>（暂无）</translation>
    </message>
    <message>
        <source> (read-only)</source>
        <translation>（只读）</translation>
    </message>
    <message>
        <source>&amp;Recent workspaces</source>
        <translation>最近的工作区(&amp;R)</translation>
    </message>
    <message>
        <source>&amp;New workspace…</source>
        <translation>新建工作区(&amp;N)…</translation>
    </message>
    <message>
        <source>Open &amp;workspace…</source>
        <translation>打开工作区(&amp;W)…</translation>
    </message>
    <message>
        <source>Save a &amp;copy of the workspace…</source>
        <translation>保存工作区副本(&amp;C)…</translation>
    </message>
    <message>
        <source>&amp;Save run</source>
        <translation>保存运行(&amp;S)</translation>
    </message>
    <message>
        <source>E&amp;xport session…</source>
        <translation>导出会话(&amp;X)…</translation>
    </message>
    <message>
        <source>&amp;Import session…</source>
        <translation>导入会话(&amp;I)…</translation>
    </message>
    <message>
        <source>&lt;/ul&gt;&lt;p&gt;&lt;b&gt;Where to look first:&lt;/b&gt; the sample prompt writes one sentence twice. In the &lt;b&gt;Head atlas&lt;/b&gt;, the heads marked &lt;i&gt;induction&lt;/i&gt; attend from each word of the second copy to the word that followed it in the first copy: that is how the model predicts the rest of the sentence. The &lt;i&gt;previous-token&lt;/i&gt; heads of the first layer make it possible. Click a head to see its attention; the Model panel's Training curves… button shows the step at which the induction heads formed.&lt;/p&gt;&lt;p&gt;Alt+arrow keys step through heads and layers from anywhere; Help › Keyboard shortcuts lists every key.&lt;/p&gt;</source>
        <translation>&lt;/ul&gt;&lt;p&gt;&lt;b&gt;先看哪里：&lt;/b&gt;示例提示把同一句话写了两遍。在&lt;b&gt;注意力头图谱&lt;/b&gt;中，标为&lt;i&gt;归纳&lt;/i&gt;的注意力头会从第二遍中的每个词关注第一遍里紧跟在同一个词之后的那个词：模型正是这样预测句子其余部分的。第一层的&lt;i&gt;前一词元&lt;/i&gt;注意力头使这成为可能。点击一个注意力头即可查看它的注意力；模型面板的“训练曲线…”按钮显示归纳头在第几步形成。&lt;/p&gt;&lt;p&gt;在任何位置按 Alt+方向键即可在注意力头和层之间切换；帮助 › 键盘快捷键列出所有按键。&lt;/p&gt;</translation>
    </message>
    <message>
        <source>Layer &amp;report…</source>
        <translation>分层报告(&amp;R)…</translation>
    </message>
</context>
<context>
    <name>strata::ModelPanel</name>
    <message>
        <source>Open a Hugging Face model folder</source>
        <translation>打开 Hugging Face 模型文件夹</translation>
    </message>
    <message>
        <source>Open a GGUF model</source>
        <translation>打开 GGUF 模型</translation>
    </message>
    <message>
        <source>GGUF models (*.gguf);;All files (*)</source>
        <translation>GGUF 模型 (*.gguf);;所有文件 (*)</translation>
    </message>
    <message>
        <source>Loading %1…</source>
        <translation>正在加载 %1…</translation>
    </message>
    <message>
        <source>Could not load: %1</source>
        <translation>无法加载：%1</translation>
    </message>
    <message>
        <source>Load</source>
        <translation>加载</translation>
    </message>
    <message>
        <source>Open folder…</source>
        <translation>打开文件夹…</translation>
    </message>
    <message>
        <source>Open GGUF…</source>
        <translation>打开 GGUF…</translation>
    </message>
    <message>
        <source>Unload</source>
        <translation>卸载</translation>
    </message>
    <message>
        <source>Refresh</source>
        <translation>刷新</translation>
    </message>
    <message>
        <source>Model card</source>
        <translation>模型卡片</translation>
    </message>
    <message>
        <source>Double-click a model to load it.</source>
        <translation>双击模型以加载。</translation>
    </message>
    <message>
        <source>Demo model (bundled)</source>
        <translation>演示模型（内置）</translation>
    </message>
    <message>
        <source>The small GPT-2 trained by Strata itself</source>
        <translation>由 Strata 自己训练的小型 GPT-2</translation>
    </message>
    <message>
        <source>%1 (Hugging Face cache, %2)</source>
        <translation>%1（Hugging Face 缓存，%2）</translation>
    </message>
    <message>
        <source>%1 (recent)</source>
        <translation>%1（最近使用）</translation>
    </message>
    <message>
        <source>No model loaded.</source>
        <translation>尚未加载模型。</translation>
    </message>
    <message>
        <source>Loaded from %1</source>
        <translation>加载自 %1</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>名称</translation>
    </message>
    <message>
        <source>Family</source>
        <translation>模型族</translation>
    </message>
    <message>
        <source>Layers</source>
        <translation>层数</translation>
    </message>
    <message>
        <source>Heads</source>
        <translation>注意力头</translation>
    </message>
    <message>
        <source>%1 query / %2 key-value</source>
        <translation>%1 个查询头 / %2 个键值头</translation>
    </message>
    <message>
        <source>Width</source>
        <translation>宽度</translation>
    </message>
    <message>
        <source>%1 (head dim %2, MLP %3)</source>
        <translation>%1（头维度 %2，MLP %3）</translation>
    </message>
    <message>
        <source>Parameters</source>
        <translation>参数量</translation>
    </message>
    <message>
        <source>Vocabulary</source>
        <translation>词表</translation>
    </message>
    <message>
        <source>Context</source>
        <translation>上下文</translation>
    </message>
    <message>
        <source>%1 tokens</source>
        <translation>%1 个词元</translation>
    </message>
    <message>
        <source>Weights</source>
        <translation>权重</translation>
    </message>
    <message>
        <source>%1, %2</source>
        <translation>%1，%2</translation>
    </message>
    <message>
        <source>Fingerprint</source>
        <translation>指纹</translation>
    </message>
    <message>
        <source>Full trace</source>
        <translation>完整追踪</translation>
    </message>
    <message>
        <source>%1 at %2 tokens (float32)</source>
        <translation>%2 个词元时约 %1（float32）</translation>
    </message>
    <message>
        <source>Before loading: %1 layers × %2 heads, d=%3; weights %4 on disk (+%5 in memory); a full float32 trace at %6 tokens needs %7.</source>
        <translation>加载前估算：%1 层 × %2 个注意力头，d=%3；权重在磁盘上占 %4（内存中另需 %5）；%6 个词元的完整 float32 追踪需要 %7。</translation>
    </message>
    <message>
        <source>Training curves…</source>
        <translation>训练曲线…</translation>
    </message>
    <message>
        <source>How this model learned: losses and the best previous-token and induction scores against training steps (from the training-log.csv Strata's trainer wrote beside it).</source>
        <translation>这个模型是如何学习的：损失以及最佳前一词元和归纳得分随训练步数的变化（来自 Strata 训练器写在模型旁的 training-log.csv）。</translation>
    </message>
    <message>
        <source>Training curves</source>
        <translation>训练曲线</translation>
    </message>
    <message>
        <source>Tensor types: %1.</source>
        <translation>张量类型：%1。</translation>
    </message>
    <message>
        <source>&amp;Compute:</source>
        <translation>计算精度(&amp;C)：</translation>
    </message>
    <message>
        <source>auto (f32: this CPU has no native bfloat16)</source>
        <translation>自动（f32：此 CPU 不支持原生 bfloat16）</translation>
    </message>
    <message>
        <source>auto (bf16 from 1 billion parameters, %1)</source>
        <translation>自动（10 亿参数起用 bf16，%1）</translation>
    </message>
    <message>
        <source>f32 (exact)</source>
        <translation>f32（精确）</translation>
    </message>
    <message>
        <source>bf16 (emulated here: slower than f32)</source>
        <translation>bf16（此处为模拟：比 f32 慢）</translation>
    </message>
    <message>
        <source>bf16 (faster, approximate)</source>
        <translation>bf16（更快，近似）</translation>
    </message>
    <message>
        <source>bf16 products (weights in bfloat16; norms, softmax and the trace in float32)</source>
        <translation>bf16 乘法（权重为 bfloat16；归一化、softmax 和追踪数据为 float32）</translation>
    </message>
    <message>
        <source>no native bfloat16 on this CPU: emulated, slower than f32</source>
        <translation>此 CPU 不支持原生 bfloat16：为模拟实现，比 f32 慢</translation>
    </message>
    <message>
        <source>Compute</source>
        <translation>计算精度</translation>
    </message>
    <message>
        <source>%1 bytes</source>
        <translation>%1 字节</translation>
    </message>
    <message>
        <source>Precision of the matrix products for the next model you load. bf16 holds the weights in bfloat16 and runs every matrix product, attention's included, on bfloat16 operands through oneDNN with float32 results; norms, softmax, attention patterns and everything stored stay float32. Runs record which one they used.</source>
        <translation>下一次加载模型时矩阵乘法的精度。bf16 以 bfloat16 保存权重，并经 oneDNN 以 bfloat16 操作数执行所有矩阵乘法（包括注意力中的），结果为 float32；归一化、softmax、注意力模式以及所有存储的数据仍为 float32。每次运行都会记录所用的精度。</translation>
    </message>
</context>
<context>
    <name>strata::NextTokenPanel</name>
    <message>
        <source>Token</source>
        <translation>词元</translation>
    </message>
    <message>
        <source>Id</source>
        <translation>编号</translation>
    </message>
    <message>
        <source>Probability</source>
        <translation>概率</translation>
    </message>
    <message>
        <source>Run a prompt to see the model's next-token predictions.</source>
        <translation>运行一个提示词以查看模型对下一个词元的预测。</translation>
    </message>
    <message>
        <source>After token #%1 '%2', the model predicts:</source>
        <translation>在词元 #%1 '%2' 之后，模型预测：</translation>
    </message>
    <message>
        <source>This run was made with %1; load that model to see its predictions in its own vocabulary.</source>
        <translation>此运行由 %1 生成；请加载该模型，以其自身词表查看预测。</translation>
    </message>
</context>
<context>
    <name>strata::PatchingPanel</name>
    <message>
        <source>Clean</source>
        <translation>干净</translation>
    </message>
    <message>
        <source>e.g. When Mary and John went to the store, John gave a drink to</source>
        <translation>例如 When Mary and John went to the store, John gave a drink to</translation>
    </message>
    <message>
        <source>Use current run</source>
        <translation>使用当前运行</translation>
    </message>
    <message>
        <source>Corrupted</source>
        <translation>损坏</translation>
    </message>
    <message>
        <source>the same number of tokens, e.g. …, Mary gave a drink to</source>
        <translation>词元数相同，例如 …, Mary gave a drink to</translation>
    </message>
    <message>
        <source>Answer / wrong</source>
        <translation>正确 / 错误答案</translation>
    </message>
    <message>
        <source>right answer (its first token counts)</source>
        <translation>正确答案（只计第一个词元）</translation>
    </message>
    <message>
        <source>wrong answer</source>
        <translation>错误答案</translation>
    </message>
    <message>
        <source>Patch</source>
        <translation>修补</translation>
    </message>
    <message>
        <source>Residual stream (layer × position)</source>
        <translation>残差流（层 × 位置）</translation>
    </message>
    <message>
        <source>Attention output (layer × position)</source>
        <translation>注意力输出（层 × 位置）</translation>
    </message>
    <message>
        <source>MLP output (layer × position)</source>
        <translation>MLP 输出（层 × 位置）</translation>
    </message>
    <message>
        <source>Heads (layer × head)</source>
        <translation>注意力头（层 × 头）</translation>
    </message>
    <message>
        <source>Heads of one layer (head × position)</source>
        <translation>某一层的注意力头（头 × 位置）</translation>
    </message>
    <message>
        <source>layer </source>
        <translation>第 </translation>
    </message>
    <message>
        <source>Denoise: clean into corrupted</source>
        <translation>去噪：把干净的激活放入损坏的运行</translation>
    </message>
    <message>
        <source>Noise: corrupted into clean</source>
        <translation>加噪：把损坏的激活放入干净的运行</translation>
    </message>
    <message>
        <source>Metric</source>
        <translation>指标</translation>
    </message>
    <message>
        <source>Logit difference</source>
        <translation>logit 差</translation>
    </message>
    <message>
        <source>Answer probability</source>
        <translation>答案概率</translation>
    </message>
    <message>
        <source>KL to the clean run</source>
        <translation>与干净运行的 KL</translation>
    </message>
    <message>
        <source>Attribution preview</source>
        <translation>归因预览</translation>
    </message>
    <message>
        <source>Also estimate every cell from one backward pass (attribution patching) and show how well it agrees</source>
        <translation>同时用一次反向传播估计每个格子（归因修补），并显示它与真实修补的吻合程度</translation>
    </message>
    <message>
        <source>Notes on this sweep…</source>
        <translation>关于这次扫描的笔记…</translation>
    </message>
    <message>
        <source>Save sweep</source>
        <translation>保存扫描</translation>
    </message>
    <message>
        <source>Export…</source>
        <translation>导出…</translation>
    </message>
    <message>
        <source>Saved sweeps</source>
        <translation>已保存的扫描</translation>
    </message>
    <message>
        <source>→ %1 | %2</source>
        <translation>→ %1 | %2</translation>
    </message>
    <message>
        <source>?</source>
        <translation>？</translation>
    </message>
    <message>
        <source>Load a model first.</source>
        <translation>请先加载模型。</translation>
    </message>
    <message>
        <source>Type a clean and a corrupted prompt.</source>
        <translation>请输入干净和损坏的提示词。</translation>
    </message>
    <message>
        <source>The clean prompt has %1 tokens and the corrupted one %2: patching needs the same count (swap words that are one token each).</source>
        <translation>干净提示词有 %1 个词元，损坏提示词有 %2 个：修补需要词元数相同（请交换各自只占一个词元的单词）。</translation>
    </message>
    <message>
        <source>Type the right and the wrong answer.</source>
        <translation>请输入正确答案和错误答案。</translation>
    </message>
    <message>
        <source>Patching… (progress and Cancel in the status bar)</source>
        <translation>正在修补…（进度与取消按钮在状态栏）</translation>
    </message>
    <message>
        <source>Activation patching</source>
        <translation>激活修补</translation>
    </message>
    <message>
        <source>Patching cancelled.</source>
        <translation>修补已取消。</translation>
    </message>
    <message>
        <source>Patching failed: %1</source>
        <translation>修补失败：%1</translation>
    </message>
    <message>
        <source>Patched %1 cells (%2).</source>
        <translation>已修补 %1 个格子（%2）。</translation>
    </message>
    <message>
        <source>Running the patched cell</source>
        <translation>正在运行修补后的格子</translation>
    </message>
    <message>
        <source>Running the patched cell failed: %1</source>
        <translation>运行修补后的格子失败：%1</translation>
    </message>
    <message>
        <source>Every panel now shows the patched run (%1): %2.</source>
        <translation>所有面板现在显示修补后的运行（%1）：%2。</translation>
    </message>
    <message>
        <source>Activation patching: %1, %2, %3 (0 = corrupted, 1 = clean) · %4 · %5</source>
        <translation>激活修补：%1，%2，%3（0 = 损坏，1 = 干净）· %4 · %5</translation>
    </message>
    <message>
        <source>Type a clean and a corrupted prompt of the same token count and two answers, then press Patch.
Each cell shows how much of the clean behaviour patching that activation restores.</source>
        <translation>请输入词元数相同的干净与损坏提示词以及两个答案，然后点击“修补”。
每个格子显示修补该激活能恢复多少干净运行的行为。</translation>
    </message>
    <message>
        <source>restored (1 = clean)</source>
        <translation>恢复程度（1 = 干净）</translation>
    </message>
    <message>
        <source>head</source>
        <translation>头</translation>
    </message>
    <message>
        <source>layer</source>
        <translation>层</translation>
    </message>
    <message>
        <source>Patching (%1, %2)</source>
        <translation>修补（%1，%2）</translation>
    </message>
    <message>
        <source>Attribution patching estimate (one backward pass)</source>
        <translation>归因修补估计（一次反向传播）</translation>
    </message>
    <message>
        <source>%1 × %2 cells. %3: clean %4, corrupted %5 (logit difference %6 → %7). Hover a cell for its value; click it to show that patched run in every panel.</source>
        <translation>%1 × %2 个格子。%3：干净 %4，损坏 %5（logit 差 %6 → %7）。悬停格子查看数值；点击格子在所有面板中显示该修补运行。</translation>
    </message>
    <message>
        <source> Attribution against patching (logit difference): r = %1, largest error %2.</source>
        <translation> 归因与修补对比（logit 差）：r = %1，最大误差 %2。</translation>
    </message>
    <message>
        <source>%1 · %2
restored %3 (%4 %5)</source>
        <translation>%1 · %2
恢复 %3（%4 %5）</translation>
    </message>
    <message>
        <source>
attribution estimate %1</source>
        <translation>
归因估计 %1</translation>
    </message>
    <message>
        <source>Nothing to save (run a sweep in a writable workspace).</source>
        <translation>没有可保存的内容（请在可写的工作区中运行扫描）。</translation>
    </message>
    <message>
        <source>%1, %2: %3</source>
        <translation>%1，%2：%3</translation>
    </message>
    <message>
        <source>Saving the sweep</source>
        <translation>正在保存扫描</translation>
    </message>
    <message>
        <source>Sweep saved in the session.</source>
        <translation>扫描已保存到会话。</translation>
    </message>
</context>
<context>
    <name>strata::PluginsDialog</name>
    <message>
        <source>Plugins</source>
        <translation>插件</translation>
    </message>
    <message>
        <source>Family</source>
        <translation>模型族</translation>
    </message>
    <message>
        <source>Version</source>
        <translation>版本</translation>
    </message>
    <message>
        <source>State</source>
        <translation>状态</translation>
    </message>
    <message>
        <source>File</source>
        <translation>文件</translation>
    </message>
    <message>
        <source>Message</source>
        <translation>信息</translation>
    </message>
    <message>
        <source>loaded</source>
        <translation>已加载</translation>
    </message>
    <message>
        <source>refused</source>
        <translation>已拒绝</translation>
    </message>
    <message>
        <source>failed</source>
        <translation>失败</translation>
    </message>
    <message>
        <source>No plugins were found in: %1</source>
        <translation>在以下位置未找到插件：%1</translation>
    </message>
    <message>
        <source>Model-family plugins found at start-up:</source>
        <translation>启动时找到的模型族插件：</translation>
    </message>
</context>
<context>
    <name>strata::ProbePanel</name>
    <message>
        <source>emb</source>
        <translation>嵌入</translation>
    </message>
    <message>
        <source>Labelled data</source>
        <translation>标注数据</translation>
    </message>
    <message>
        <source>CoNLL-U or labelled sentences (*.conllu *.csv *.tsv);;All files (*)</source>
        <translation>CoNLL-U 或带标签的句子 (*.conllu *.csv *.tsv);;所有文件 (*)</translation>
    </message>
    <message>
        <source>Confusion of %1 at layer %2 (rows: gold, columns: predicted)</source>
        <translation>%1 在第 %2 层的混淆矩阵（行：标准答案，列：预测）</translation>
    </message>
    <message>
        <source>Train</source>
        <translation>训练集</translation>
    </message>
    <message>
        <source>Dev</source>
        <translation>开发集</translation>
    </message>
    <message>
        <source>Test</source>
        <translation>测试集</translation>
    </message>
    <message>
        <source>Browse…</source>
        <translation>浏览…</translation>
    </message>
    <message>
        <source>CoNLL-U (e.g. UD English-EWT train) or CSV/TSV of label, sentence</source>
        <translation>CoNLL-U（例如 UD English-EWT 训练集）或“标签, 句子”的 CSV/TSV</translation>
    </message>
    <message>
        <source>for early stopping</source>
        <translation>用于早停</translation>
    </message>
    <message>
        <source>held-out data to report on (optional: dev is used)</source>
        <translation>用于报告结果的留出数据（可选：默认使用开发集）</translation>
    </message>
    <message>
        <source>Tasks</source>
        <translation>任务</translation>
    </message>
    <message>
        <source>UPOS</source>
        <translation>通用词性 (UPOS)</translation>
    </message>
    <message>
        <source>XPOS</source>
        <translation>细粒度词性 (XPOS)</translation>
    </message>
    <message>
        <source>Dependency relation</source>
        <translation>依存关系</translation>
    </message>
    <message>
        <source>Head distance</source>
        <translation>中心词距离</translation>
    </message>
    <message>
        <source>Sentence label (CSV/TSV)</source>
        <translation>句子标签 (CSV/TSV)</translation>
    </message>
    <message>
        <source>Sub-words</source>
        <translation>子词</translation>
    </message>
    <message>
        <source>first</source>
        <translation>第一个</translation>
    </message>
    <message>
        <source>last</source>
        <translation>最后一个</translation>
    </message>
    <message>
        <source>mean</source>
        <translation>平均</translation>
    </message>
    <message>
        <source>Vectors</source>
        <translation>向量</translation>
    </message>
    <message>
        <source>residual stream</source>
        <translation>残差流</translation>
    </message>
    <message>
        <source>attention output</source>
        <translation>注意力输出</translation>
    </message>
    <message>
        <source>MLP output</source>
        <translation>MLP 输出</translation>
    </message>
    <message>
        <source>Probe</source>
        <translation>探针</translation>
    </message>
    <message>
        <source>logistic regression</source>
        <translation>逻辑回归</translation>
    </message>
    <message>
        <source>MLP (one hidden layer)</source>
        <translation>MLP（一个隐藏层）</translation>
    </message>
    <message>
        <source>Train sentences</source>
        <translation>训练句数</translation>
    </message>
    <message>
        <source>all</source>
        <translation>全部</translation>
    </message>
    <message>
        <source>Sentences read from the training file; dev and test read a quarter as many.</source>
        <translation>从训练文件读取的句子数；开发集和测试集读取其四分之一。</translation>
    </message>
    <message>
        <source>Control task</source>
        <translation>控制任务</translation>
    </message>
    <message>
        <source>Hewitt &amp; Liang: the same probe on random labels fixed per word type; selectivity = accuracy − control accuracy.</source>
        <translation>Hewitt &amp; Liang：用同样的探针学习按词型固定的随机标签；选择性 = 准确率 − 控制任务准确率。</translation>
    </message>
    <message>
        <source>Run probes</source>
        <translation>运行探针</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <source>Saved in session</source>
        <translation>会话中已保存</translation>
    </message>
    <message>
        <source>Export…</source>
        <translation>导出…</translation>
    </message>
    <message>
        <source>Probes ask: from which layer can a simple classifier read part of speech, syntax…? Choose labelled data and run.</source>
        <translation>探针回答的问题：从哪一层开始，简单的分类器就能读出词性、句法……？选择标注数据后运行。</translation>
    </message>
    <message>
        <source>Layer (emb = embeddings)</source>
        <translation>层（emb = 嵌入层）</translation>
    </message>
    <message>
        <source>Held-out accuracy</source>
        <translation>留出集准确率</translation>
    </message>
    <message>
        <source>Load a model first.</source>
        <translation>请先加载模型。</translation>
    </message>
    <message>
        <source>Choose at least one task, a training file and a dev file.</source>
        <translation>请至少选择一个任务、一个训练文件和一个开发集文件。</translation>
    </message>
    <message>
        <source>Extracting features and training probes…</source>
        <translation>正在提取特征并训练探针…</translation>
    </message>
    <message>
        <source>Probing %1</source>
        <translation>探测 %1</translation>
    </message>
    <message>
        <source>Cancelled; the previous result is still shown.</source>
        <translation>已取消；仍显示之前的结果。</translation>
    </message>
    <message>
        <source>Probing failed: %1</source>
        <translation>探测失败：%1</translation>
    </message>
    <message>
        <source>%1 on %2 (%3)</source>
        <translation>%1，模型 %2（%3）</translation>
    </message>
    <message>
        <source>Saving the probe result</source>
        <translation>保存探针结果</translation>
    </message>
    <message>
        <source>%1: %2 vectors, %3 sub-word, %4 probes; evaluated on %5%6. Features %7 s%8, total %9 s.</source>
        <translation>%1：%2 向量，%3 子词，%4 探针；在 %5%6 上评估。特征 %7 秒%8，共 %9 秒。</translation>
    </message>
    <message>
        <source> (the dev file, also used for early stopping)</source>
        <translation>（开发集文件，同时用于早停）</translation>
    </message>
    <message>
        <source> (from the cache)</source>
        <translation>（来自缓存）</translation>
    </message>
    <message>
        <source>%1 sentences longer than the model's context were skipped.</source>
        <translation>跳过了 %1 个超出模型上下文长度的句子。</translation>
    </message>
    <message>
        <source>%1 malformed lines were skipped (first: %2).</source>
        <translation>跳过了 %1 行格式错误的内容（第一处：%2）。</translation>
    </message>
    <message>
        <source>Task</source>
        <translation>任务</translation>
    </message>
    <message>
        <source>Best layer</source>
        <translation>最佳层</translation>
    </message>
    <message>
        <source>Expected layer</source>
        <translation>期望层</translation>
    </message>
    <message>
        <source>Best accuracy</source>
        <translation>最佳准确率</translation>
    </message>
    <message>
        <source>Majority</source>
        <translation>多数类基线</translation>
    </message>
    <message>
        <source>Selectivity there</source>
        <translation>该层的选择性</translation>
    </message>
    <message>
        <source>layer %1</source>
        <translation>第 %1 层</translation>
    </message>
    <message>
        <source>%1 accuracy</source>
        <translation>%1 准确率</translation>
    </message>
    <message>
        <source>%1 selectivity</source>
        <translation>%1 选择性</translation>
    </message>
    <message>
        <source>%1 majority baseline</source>
        <translation>%1 多数类基线</translation>
    </message>
    <message>
        <source>Predicted (layer %1; rows sum to 1)</source>
        <translation>预测（第 %1 层；每行之和为 1）</translation>
    </message>
    <message>
        <source>Gold</source>
        <translation>标准答案</translation>
    </message>
    <message>
        <source>Probe accuracy, control accuracy and selectivity per layer (%1)</source>
        <translation>各层的探针准确率、控制任务准确率和选择性（%1）</translation>
    </message>
    <message>
        <source>Gain-weighted layer</source>
        <translation>增益加权层</translation>
    </message>
    <message>
        <source>Mean layer point weighted by accuracy: near the middle whenever the curve is flat.</source>
        <translation>按准确率加权的平均层：曲线平坦时总是接近中间。</translation>
    </message>
    <message>
        <source>Mean layer point weighted by each layer's gain over the one before: where the information appears.</source>
        <translation>按每层相对前一层的准确率增益加权的平均层：信息出现的位置。</translation>
    </message>
    <message>
        <source>%1: expected layer %2, gain-weighted %3</source>
        <translation>%1：期望层 %2，增益加权 %3</translation>
    </message>
    <message>
        <source>%1 %2 at %3</source>
        <translation>%1 %2（%3）</translation>
    </message>
    <message>
        <source>Probes on %1 (%2): best held-out accuracy %3.</source>
        <translation>%1 上的探针（%2）：最佳留出准确率 %3。</translation>
    </message>
    <message>
        <source>Choose labelled data (a CoNLL-U treebank)
and press Run probes: accuracy by layer appears here.</source>
        <translation>选择标注数据（CoNLL-U 树库）
并点击“运行探针”：各层准确率将显示在这里。</translation>
    </message>
    <message>
        <source>The confusion matrix of a task at a layer
appears here after a run.</source>
        <translation>运行后，某任务在某层的混淆矩阵
将显示在这里。</translation>
    </message>
</context>
<context>
    <name>strata::Progress</name>
    <message>
        <source>Layer %1</source>
        <translation>第 %1 层</translation>
    </message>
    <message>
        <source>Sentence %1/%2</source>
        <translation>句子 %1/%2</translation>
    </message>
    <message>
        <source>Sentence %1</source>
        <translation>句子 %1</translation>
    </message>
    <message>
        <source>Logit lens, layer %1</source>
        <translation>Logit 透镜，第 %1 层</translation>
    </message>
    <message>
        <source>Induction test %1/%2</source>
        <translation>归纳测试 %1/%2</translation>
    </message>
    <message>
        <source>Variants %1-%2 of %3</source>
        <translation>变体 %1-%2（共 %3）</translation>
    </message>
    <message>
        <source>Probing %1, layer %2/%3</source>
        <translation>探测 %1，第 %2/%3 层</translation>
    </message>
    <message>
        <source>Reading tokenizer</source>
        <translation>读取分词器</translation>
    </message>
    <message>
        <source>Mapping weights</source>
        <translation>映射权重</translation>
    </message>
    <message>
        <source>Features from the cache</source>
        <translation>从缓存读取特征</translation>
    </message>
    <message>
        <source>BPE merges</source>
        <translation>BPE 合并</translation>
    </message>
    <message>
        <source>Report: tracing the prompt</source>
        <translation>报告：追踪提示</translation>
    </message>
    <message>
        <source>Report: induction test</source>
        <translation>报告：归纳测试</translation>
    </message>
    <message>
        <source>Report: probes</source>
        <translation>报告：探针</translation>
    </message>
    <message>
        <source>Report: logit lens</source>
        <translation>报告：logit lens</translation>
    </message>
    <message>
        <source>Report: paraphrase similarity</source>
        <translation>报告：同义句相似度</translation>
    </message>
    <message>
        <source>Report: syntactic heads</source>
        <translation>报告：句法头</translation>
    </message>
</context>
<context>
    <name>strata::PromptPanel</name>
    <message>
        <source>#%1  id %2
bytes %3
"%4"</source>
        <translation>#%1  编号 %2
字节 %3
"%4"</translation>
    </message>
    <message>
        <source>History:</source>
        <translation>历史：</translation>
    </message>
    <message>
        <source>Type a prompt and press Ctrl+Enter to trace it.</source>
        <translation>输入提示词并按 Ctrl+Enter 进行追踪。</translation>
    </message>
    <message>
        <source>Run</source>
        <translation>运行</translation>
    </message>
    <message>
        <source>Trace the prompt (Ctrl+Enter)</source>
        <translation>追踪提示词（Ctrl+Enter）</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <source>Continue</source>
        <translation>续写</translation>
    </message>
    <message>
        <source>Generate tokens and append them to the prompt (temperature 0 is greedy)</source>
        <translation>生成词元并追加到提示词末尾（温度为 0 时为贪心解码）</translation>
    </message>
    <message>
        <source>New tokens:</source>
        <translation>新词元数：</translation>
    </message>
    <message>
        <source>Temperature:</source>
        <translation>温度：</translation>
    </message>
    <message>
        <source>Top-k:</source>
        <translation>Top-k：</translation>
    </message>
    <message>
        <source>No model loaded</source>
        <translation>尚未加载模型</translation>
    </message>
    <message>
        <source>&lt;b&gt;%1 / %2 tokens — too long for this model&lt;/b&gt;</source>
        <translation>&lt;b&gt;%1 / %2 个词元 — 超出该模型的上下文长度&lt;/b&gt;</translation>
    </message>
    <message>
        <source>%1 / %2 tokens</source>
        <translation>%1 / %2 个词元</translation>
    </message>
</context>
<context>
    <name>strata::ReportDialog</name>
    <message>
        <source>Layer report</source>
        <translation>分层报告</translation>
    </message>
    <message>
        <source>One document that answers “why do deeper blocks hold more abstract features, and what does each head do?” for the loaded model: attention distance, probes, the residual stream, the logit lens, paraphrase similarity and head roles by depth, each measured and read out.</source>
        <translation>一份文档，针对已加载的模型回答“为什么更深的块包含更抽象的特征，每个注意力头做什么？”：按深度给出注意力距离、探针、残差流、logit lens、同义句相似度和头的角色，每一项都经过测量并给出解读。</translation>
    </message>
    <message>
        <source>Browse…</source>
        <translation>浏览…</translation>
    </message>
    <message>
        <source>optional: a CoNLL-U treebank for the probes (part 2)</source>
        <translation>可选：用于探针的 CoNLL-U 树库（第 2 部分）</translation>
    </message>
    <message>
        <source>Open the report when it is written</source>
        <translation>写完后打开报告</translation>
    </message>
    <message>
        <source>Write to</source>
        <translation>写入到</translation>
    </message>
    <message>
        <source>Treebank</source>
        <translation>树库</translation>
    </message>
    <message>
        <source>Probe sentences</source>
        <translation>探针句子数</translation>
    </message>
    <message>
        <source>Write report</source>
        <translation>写报告</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <source>Write the report to</source>
        <translation>将报告写入到</translation>
    </message>
    <message>
        <source>PDF (*.pdf);;HTML (*.html)</source>
        <translation>PDF (*.pdf);;HTML (*.html)</translation>
    </message>
    <message>
        <source>Treebank for the probes</source>
        <translation>用于探针的树库</translation>
    </message>
    <message>
        <source>CoNLL-U (*.conllu);;All files (*)</source>
        <translation>CoNLL-U (*.conllu);;所有文件 (*)</translation>
    </message>
    <message>
        <source>Load a model first (File › Open).</source>
        <translation>请先加载模型（文件 › 打开）。</translation>
    </message>
    <message>
        <source>Choose a file ending in .pdf or .html to write the report to.</source>
        <translation>请选择以 .pdf 或 .html 结尾的文件来写入报告。</translation>
    </message>
    <message>
        <source>The treebank %1 does not exist.</source>
        <translation>树库 %1 不存在。</translation>
    </message>
    <message>
        <source>Measuring…</source>
        <translation>正在测量…</translation>
    </message>
    <message>
        <source>Writing the layer report</source>
        <translation>正在写分层报告</translation>
    </message>
    <message>
        <source>Cancelled; nothing was written.</source>
        <translation>已取消；没有写入任何内容。</translation>
    </message>
    <message>
        <source>The report could not be made: %1</source>
        <translation>无法生成报告：%1</translation>
    </message>
    <message>
        <source>Layer report of %1</source>
        <translation>%1 的分层报告</translation>
    </message>
    <message>
        <source>Saving the report</source>
        <translation>正在保存报告</translation>
    </message>
    <message>
        <source>Written to %1 (%2 s).</source>
        <translation>已写入 %1（%2 秒）。</translation>
    </message>
    <message>
        <source>Layer report of %1 written to %2.</source>
        <translation>%1 的分层报告已写入 %2。</translation>
    </message>
</context>
<context>
    <name>strata::ReportRenderer</name>
    <message>
        <source>%1 · %2 layers × %3 heads · prompt of %4 tokens · %5 · measured in %6 s</source>
        <translation>%1 · %2 层 × %3 个头 · 提示 %4 个词元 · %5 · 测量用时 %6 秒</translation>
    </message>
    <message>
        <source>How %1 abstracts</source>
        <translation>%1 如何抽象</translation>
    </message>
    <message>
        <source>How %1 abstracts, layer by layer</source>
        <translation>%1 如何逐层抽象</translation>
    </message>
    <message>
        <source>Prompt</source>
        <translation>提示词</translation>
    </message>
</context>
<context>
    <name>strata::ResidualPcaPanel</name>
    <message>
        <source>#%1 '%2'</source>
        <translation>#%1 '%2'</translation>
    </message>
    <message>
        <source>Layer</source>
        <translation>层</translation>
    </message>
    <message>
        <source>Basis of this layer</source>
        <translation>本层的基</translation>
    </message>
    <message>
        <source>One basis for all layers</source>
        <translation>所有层共用一组基</translation>
    </message>
    <message>
        <source>Colour by position</source>
        <translation>按位置着色</translation>
    </message>
    <message>
        <source>Colour by token</source>
        <translation>按词元着色</translation>
    </message>
    <message>
        <source>Trajectory of the selected token</source>
        <translation>所选词元的轨迹</translation>
    </message>
    <message>
        <source>Export…</source>
        <translation>导出…</translation>
    </message>
    <message>
        <source>PCA needs at least three tokens and the residual stream of this layer.</source>
        <translation>PCA 需要至少三个词元以及该层的残差流。</translation>
    </message>
    <message>
        <source>Run a prompt to see its token vectors layer by layer.</source>
        <translation>运行一个提示词，逐层查看其词元向量。</translation>
    </message>
    <message>
        <source>PC1 (%1 % of variance)</source>
        <translation>PC1（方差的 %1 %）</translation>
    </message>
    <message>
        <source>PC2 (%1 % of variance)</source>
        <translation>PC2（方差的 %1 %）</translation>
    </message>
    <message>
        <source>Embeddings</source>
        <translation>嵌入层</translation>
    </message>
    <message>
        <source>After layer %1</source>
        <translation>第 %1 层之后</translation>
    </message>
    <message>
        <source>%1 tokens; the first two principal components explain %2 % of the variance%3. Drag the slider to move through depth.</source>
        <translation>%1 个词元；前两个主成分解释了%3 %2 % 的方差。拖动滑块可在不同深度间移动。</translation>
    </message>
    <message>
        <source> of all layers together</source>
        <translation>所有层合计</translation>
    </message>
    <message>
        <source>Tagged sentences</source>
        <translation>带标注的句子</translation>
    </message>
    <message>
        <source>CoNLL-U (*.conllu);;All files (*)</source>
        <translation>CoNLL-U (*.conllu);;所有文件 (*)</translation>
    </message>
    <message>
        <source>3-D</source>
        <translation>三维</translation>
    </message>
    <message>
        <source>Three principal components; drag to rotate, wheel to zoom, double-click to reset</source>
        <translation>三个主成分；拖动旋转，滚轮缩放，双击复位</translation>
    </message>
    <message>
        <source>Tokens of this run</source>
        <translation>本次运行的词元</translation>
    </message>
    <message>
        <source>Words of tagged sentences (CoNLL-U), by part of speech</source>
        <translation>带标注句子（CoNLL-U）中的词，按词性着色</translation>
    </message>
    <message>
        <source>CoNLL-U…</source>
        <translation>CoNLL-U…</translation>
    </message>
    <message>
        <source>Load a model first.</source>
        <translation>请先加载模型。</translation>
    </message>
    <message>
        <source>Tracing the tagged sentences…</source>
        <translation>正在追踪带标注的句子…</translation>
    </message>
    <message>
        <source>Tagged sentences for PCA</source>
        <translation>用于 PCA 的带标注句子</translation>
    </message>
    <message>
        <source>Cancelled.</source>
        <translation>已取消。</translation>
    </message>
    <message>
        <source>Could not use %1: %2</source>
        <translation>无法使用 %1：%2</translation>
    </message>
    <message>
        <source>Too few words to project.</source>
        <translation>词太少，无法投影。</translation>
    </message>
    <message>
        <source>%1 tokens; three principal components explain %2 % of the variance%3. Drag to rotate.</source>
        <translation>%1 个词元；三个主成分解释了 %2 % 的方差%3。拖动可旋转。</translation>
    </message>
    <message>
        <source>%1 words of tagged sentences (first sub-word each; each sentence's first word left out, its vector is the first-position outlier), coloured by part of speech (UPOS); the components shown explain %2 % of the variance.</source>
        <translation>带标注句子中的 %1 个词（每个词取第一个子词；每句的第一个词被略去，其向量是首位置的离群值），按词性（UPOS）着色；所示主成分解释了 %2 % 的方差。</translation>
    </message>
    <message>
        <source>Standardise dimensions</source>
        <translation>标准化各维度</translation>
    </message>
    <message>
        <source>Z-score every dimension before PCA, so that a few rogue dimensions with huge variance do not take the first components</source>
        <translation>在 PCA 之前对每个维度做 z 分数标准化，使少数方差极大的“异常维度”不会占据前几个主成分</translation>
    </message>
</context>
<context>
    <name>strata::SessionTreeModel</name>
    <message numerus="yes">
        <source>%n run(s)</source>
        <translation>
            <numerusform>%n 次运行</numerusform>
        </translation>
    </message>
    <message>
        <source>%1

Model: %2
%3 tokens, %4 ms
%5</source>
        <translation>%1

模型：%2
%3 个词元，%4 毫秒
%5</translation>
    </message>
    <message>
        <source>Trace kept (%1 MB): opens at once.</source>
        <translation>已保留追踪数据（%1 MB）：可立即打开。</translation>
    </message>
    <message>
        <source>Trace not kept: recomputed when opened with its model loaded.</source>
        <translation>未保留追踪数据：在加载其模型后打开时重新计算。</translation>
    </message>
    <message>
        <source>Session / prompt</source>
        <translation>会话 / 提示词</translation>
    </message>
    <message>
        <source>Model</source>
        <translation>模型</translation>
    </message>
    <message>
        <source>Tokens</source>
        <translation>词元数</translation>
    </message>
    <message>
        <source>Created</source>
        <translation>创建时间</translation>
    </message>
    <message>
        <source>Tags</source>
        <translation>标签</translation>
    </message>
</context>
<context>
    <name>strata::SessionsPanel</name>
    <message>
        <source>Workspace (read-only): %1</source>
        <translation>工作区（只读）：%1</translation>
    </message>
    <message>
        <source>Workspace: %1</source>
        <translation>工作区：%1</translation>
    </message>
    <message>
        <source>No workspace is open.</source>
        <translation>没有打开的工作区。</translation>
    </message>
    <message>
        <source>New session</source>
        <translation>新建会话</translation>
    </message>
    <message>
        <source>Start a new session; new runs are saved into it.</source>
        <translation>开始一个新会话；新的运行会保存到其中。</translation>
    </message>
    <message>
        <source>Duplicate</source>
        <translation>复制</translation>
    </message>
    <message>
        <source>Delete</source>
        <translation>删除</translation>
    </message>
    <message>
        <source>Delete the selected run or session (Del). Edit › Undo brings it back.</source>
        <translation>删除所选的运行或会话（Del）。“编辑 › 撤销”可恢复。</translation>
    </message>
    <message>
        <source>Export…</source>
        <translation>导出…</translation>
    </message>
    <message>
        <source>Write the selected session to one file to share it.</source>
        <translation>将所选会话写入一个文件以便分享。</translation>
    </message>
    <message>
        <source>Import…</source>
        <translation>导入…</translation>
    </message>
    <message>
        <source>Add the sessions of a shared file to this workspace (nothing here is replaced).</source>
        <translation>将分享文件中的会话添加到此工作区（不会替换这里的任何内容）。</translation>
    </message>
    <message>
        <source>Save every run into the current session</source>
        <translation>将每次运行保存到当前会话</translation>
    </message>
    <message>
        <source>Since</source>
        <translation>起始日期</translation>
    </message>
    <message>
        <source>Tags</source>
        <translation>标签</translation>
    </message>
    <message>
        <source>comma, separated</source>
        <translation>用逗号分隔</translation>
    </message>
    <message>
        <source>Open run</source>
        <translation>打开运行</translation>
    </message>
    <message>
        <source>Write a note about this run (or the session's description)…</source>
        <translation>为此运行写一条笔记（或会话的描述）…</translation>
    </message>
    <message>
        <source>Update note</source>
        <translation>更新笔记</translation>
    </message>
    <message>
        <source>Delete note</source>
        <translation>删除笔记</translation>
    </message>
    <message>
        <source>All tags</source>
        <translation>所有标签</translation>
    </message>
    <message>
        <source>All models</source>
        <translation>所有模型</translation>
    </message>
    <message>
        <source>layer %1</source>
        <translation>第 %1 层</translation>
    </message>
    <message>
        <source>head %1</source>
        <translation>第 %1 个头</translation>
    </message>
    <message>
        <source>tokens %1–%2</source>
        <translation>词元 %1–%2</translation>
    </message>
    <message>
        <source>token %1</source>
        <translation>词元 %1</translation>
    </message>
    <message>
        <source>whole run</source>
        <translation>整个运行</translation>
    </message>
    <message>
        <source>Anchor to %1</source>
        <translation>锚定到 %1</translation>
    </message>
    <message>
        <source>Select a session or a run. Runs are saved here as you make them; double-click one to show it again.</source>
        <translation>选择一个会话或运行。运行在完成时会自动保存到这里；双击即可再次显示。</translation>
    </message>
    <message>
        <source>Add note</source>
        <translation>添加笔记</translation>
    </message>
    <message>
        <source>&lt;b&gt;Run&lt;/b&gt; on %1, %2 tokens — %3</source>
        <translation>&lt;b&gt;运行&lt;/b&gt;：%1，%2 个词元 — %3</translation>
    </message>
    <message numerus="yes">
        <source>&lt;b&gt;Session&lt;/b&gt; %1 — %n run(s). The text below becomes its description.</source>
        <translation>
            <numerusform>&lt;b&gt;会话&lt;/b&gt; %1 — %n 次运行。下方文字将作为它的描述。</numerusform>
        </translation>
    </message>
    <message>
        <source>Save description</source>
        <translation>保存描述</translation>
    </message>
    <message>
        <source>Move to session</source>
        <translation>移动到会话</translation>
    </message>
    <message>
        <source>Delete run</source>
        <translation>删除运行</translation>
    </message>
    <message>
        <source>Rename</source>
        <translation>重命名</translation>
    </message>
    <message>
        <source>Delete session</source>
        <translation>删除会话</translation>
    </message>
    <message>
        <source>Session %1</source>
        <translation>会话 %1</translation>
    </message>
    <message>
        <source>Rename session</source>
        <translation>重命名会话</translation>
    </message>
    <message>
        <source>%1 (copy)</source>
        <translation>%1（副本）</translation>
    </message>
    <message>
        <source>Duplicate session</source>
        <translation>复制会话</translation>
    </message>
    <message>
        <source>Move run</source>
        <translation>移动运行</translation>
    </message>
    <message>
        <source>Change tags</source>
        <translation>修改标签</translation>
    </message>
    <message>
        <source>Edit note</source>
        <translation>编辑笔记</translation>
    </message>
    <message>
        <source>Change description</source>
        <translation>修改描述</translation>
    </message>
    <message>
        <source>Export session</source>
        <translation>导出会话</translation>
    </message>
    <message>
        <source>Strata sessions (*.stratasession);;All files (*)</source>
        <translation>Strata 会话 (*.stratasession);;所有文件 (*)</translation>
    </message>
    <message>
        <source>Exporting the session</source>
        <translation>导出会话</translation>
    </message>
    <message>
        <source>Exported “%1” to %2.</source>
        <translation>已将“%1”导出到 %2。</translation>
    </message>
    <message>
        <source>Import a session</source>
        <translation>导入会话</translation>
    </message>
    <message>
        <source>Strata sessions (*.stratasession *.strata);;All files (*)</source>
        <translation>Strata 会话 (*.stratasession *.strata);;所有文件 (*)</translation>
    </message>
    <message>
        <source>Import session</source>
        <translation>导入会话</translation>
    </message>
    <message>
        <source>Bookmark the current head for this run (the text above becomes its note)</source>
        <translation>为此运行收藏当前注意力头（上方文字作为它的笔记）</translation>
    </message>
    <message>
        <source>★ L%1H%2</source>
        <translation>★ L%1H%2</translation>
    </message>
    <message>
        <source>Bookmarked head; double-click to look at it</source>
        <translation>已收藏的注意力头；双击查看</translation>
    </message>
    <message>
        <source>Bookmark head</source>
        <translation>收藏注意力头</translation>
    </message>
    <message>
        <source>Delete bookmark</source>
        <translation>删除收藏</translation>
    </message>
    <message>
        <source>Filter: names, prompts, models, tags, notes</source>
        <translation>筛选：名称、提示词、模型、标签、笔记</translation>
    </message>
</context>
<context>
    <name>strata::SimilarityPanel</name>
    <message>
        <source>Example sets…</source>
        <translation>示例集…</translation>
    </message>
    <message>
        <source>Mean pooling</source>
        <translation>平均池化</translation>
    </message>
    <message>
        <source>Last token</source>
        <translation>最后一个词元</translation>
    </message>
    <message>
        <source>Max pooling</source>
        <translation>最大池化</translation>
    </message>
    <message>
        <source>Centred on a baseline</source>
        <translation>以基线中心化</translation>
    </message>
    <message>
        <source>Standardised</source>
        <translation>标准化</translation>
    </message>
    <message>
        <source>Raw cosine</source>
        <translation>原始余弦</translation>
    </message>
    <message>
        <source>Raw cosine of sentence vectors sits near 1 in every layer; centring on a baseline set of sentences removes the shared direction.</source>
        <translation>句子向量的原始余弦相似度在每一层都接近 1；以一组基线句子做中心化可以去除共有方向。</translation>
    </message>
    <message>
        <source>One sentence per line (any language the model handles).</source>
        <translation>每行一句（模型能处理的任何语言）。</translation>
    </message>
    <message>
        <source>Compare</source>
        <translation>比较</translation>
    </message>
    <message>
        <source>Export…</source>
        <translation>导出…</translation>
    </message>
    <message>
        <source>Write sentences (one per line) and press Compare.</source>
        <translation>输入句子（每行一句）后点击“比较”。</translation>
    </message>
    <message>
        <source>Load a model first.</source>
        <translation>请先加载模型。</translation>
    </message>
    <message>
        <source>Give at least two sentences.</source>
        <translation>请至少输入两个句子。</translation>
    </message>
    <message>
        <source>Running %1 sentences and the baseline set through the model…</source>
        <translation>正在将 %1 个句子和基线句子集输入模型…</translation>
    </message>
    <message>
        <source>Sentence similarity</source>
        <translation>句子相似度</translation>
    </message>
    <message>
        <source>Cancelled.</source>
        <translation>已取消。</translation>
    </message>
    <message>
        <source>Failed: %1</source>
        <translation>失败：%1</translation>
    </message>
    <message>
        <source>Each line: one pair of sentences (S0-S1 ...). Dashed: linear CKA between each layer and the last.</source>
        <translation>每条线对应一对句子（S0-S1 …）。虚线：各层与最后一层之间的线性 CKA。</translation>
    </message>
    <message>
        <source>CKA with last layer</source>
        <translation>与最后一层的 CKA</translation>
    </message>
    <message>
        <source>emb</source>
        <translation>嵌入</translation>
    </message>
    <message>
        <source>Depth</source>
        <translation>深度</translation>
    </message>
    <message>
        <source>Cosine similarity</source>
        <translation>余弦相似度</translation>
    </message>
    <message>
        <source>Similarity matrix at %1</source>
        <translation>%1 的相似度矩阵</translation>
    </message>
    <message>
        <source>the embeddings</source>
        <translation>嵌入层</translation>
    </message>
    <message>
        <source>layer %1</source>
        <translation>第 %1 层</translation>
    </message>
    <message>
        <source>Word in context (optional)</source>
        <translation>语境中的词（可选）</translation>
    </message>
    <message>
        <source>When set, compare this word's vectors in each sentence instead of whole sentences, e.g. 'bank' by a river and 'bank' that lends money.</source>
        <translation>设置后，比较该词在各句中的向量而不是整句，例如河边的“bank”（河岸）和放贷的“bank”（银行）。</translation>
    </message>
    <message>
        <source>Keep this sentence set</source>
        <translation>保存此句子集</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>名称</translation>
    </message>
    <message>
        <source>Nothing to keep, or the workspace is read-only.</source>
        <translation>没有可保存的内容，或工作区是只读的。</translation>
    </message>
    <message>
        <source>Keeping the sentence set</source>
        <translation>保存句子集</translation>
    </message>
    <message>
        <source>Kept “%1” in the session.</source>
        <translation>已将“%1”保存到会话中。</translation>
    </message>
    <message>
        <source>Session: %1</source>
        <translation>会话：%1</translation>
    </message>
    <message>
        <source>Keep set…</source>
        <translation>保存句子集…</translation>
    </message>
    <message>
        <source>Keep these sentences in the current session</source>
        <translation>将这些句子保存到当前会话</translation>
    </message>
    <message>
        <source>Similarity of %1 sentences across layers on %2.</source>
        <translation>已在 %2 上计算 %1 个句子跨层的相似度。</translation>
    </message>
    <message>
        <source>Press Compare: the similarity of each pair of sentences
at every layer appears here.</source>
        <translation>点击“比较”：每对句子在每一层的相似度
将显示在这里。</translation>
    </message>
    <message>
        <source>Every pair at the layer
chosen with the slider.</source>
        <translation>滑块所选层上的
每一对句子。</translation>
    </message>
</context>
<context>
    <name>strata::TrainingCurvesDialog</name>
    <message>
        <source>Training curves: %1</source>
        <translation>训练曲线：%1</translation>
    </message>
    <message>
        <source>How %1 learned (%2 steps)</source>
        <translation>%1 是如何学习的（%2 步）</translation>
    </message>
    <message>
        <source>Export…</source>
        <translation>导出…</translation>
    </message>
</context>
</TS>