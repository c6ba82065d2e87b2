"""Write scan_liling.pdf: an image-only PDF (no text layer) in the shape of a scanned 自评报告 with a 自评表.

Run from the repository root with the WenQuanYi font installed: python tests/data/published/make_scan.py
"""

from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

font = ImageFont.truetype("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc", 30)
big = ImageFont.truetype("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc", 40)


def page(lines, title=None):
    img = Image.new("L", (1240, 1754), 255)
    d = ImageDraw.Draw(img)
    y = 120
    if title:
        d.text((620, y), title, font=big, fill=0, anchor="mt")
        y += 110
    for line in lines:
        if isinstance(line, tuple):
            x = 100
            for cell, w in zip(line, (360, 200, 200, 120, 120)):
                d.rectangle((x, y - 8, x + w, y + 44), outline=0)
                d.text((x + 8, y), cell, font=font, fill=0)
                x += w
            y += 52
        else:
            d.text((100, y), line, font=font, fill=0)
            y += 50
    return img


p1 = page(
    [
        "一、部门基本情况",
        "　　醴陵市农业农村局内设机构8个，下属单位3个，",
        "编制人数45人，实有在职人员42人。",
        "二、部门整体支出情况",
        "　　2023年度部门整体支出1286.54万元，其中基本支出",
        "832.17万元，项目支出454.37万元。预算执行率97.6%。",
    ],
    title="醴陵市农业农村局2023年度部门整体支出绩效自评报告",
)
p2 = page(
    [
        "三、绩效指标完成情况",
        ("三级指标", "年度指标值", "实际完成值", "分值", "得分"),
        ("高标准农田建设面积", "≥2万亩", "2.1万亩", "10", "10"),
        ("农技培训人次", "≥800人次", "650人次", "10", "8"),
        "四、存在的问题",
        "　　部分项目资金拨付进度偏慢，绩效目标设置不够细化。",
    ]
)
p1.save(Path(__file__).with_name("scan_liling.pdf"), save_all=True, append_images=[p2], resolution=150)
