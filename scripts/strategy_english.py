"""The English names of the strategy's goals, measures and departments, for scripts/seed_strategy.py.

Ours, not the city's. Missing keys stop the script (a new name needs a decision).
"""

GOALS_EN = {
    "若い世代の結婚・出産・子育ての希望をかなえる":
        "Fulfil young people's hopes for marriage, childbirth and child-rearing",
    "新しい人の流れをつくり、留まれる中核拠点を創出する":
        "Create a new flow of people and a core hub where they can stay",
    "北北海道を舞台にチャレンジする人や企業を応援し、雇用環境を充実する":
        "Support people and companies taking on challenges in northern Hokkaido, and improve employment",
    "安心して魅力ある持続可能な拠点都市を形成する":
        "Build a safe, attractive and sustainable hub city",
}
MEASURES_EN = {
    "結婚, 妊娠, 出産, 育児への総合的な支援":
        "Comprehensive support for marriage, pregnancy, childbirth and child-rearing",
    "安心して学べる教育環境の充実": "A better educational environment where children can learn in safety",
    "ワーク・ライフ・バランスと女性活躍の推進": "Promoting work-life balance and women's advancement",
    "移住(Uターンを含む)に関する総合的な環境整備":
        "Comprehensive groundwork for people moving to the city (including those returning home)",
    "産学官連携と大学等の活性化を通じた若者の地元定着の促進":
        "Keeping young people in the area through industry-academia-government partnership and stronger universities",
    "地域の特性を生かし、時代に即した企業誘致の促進":
        "Attracting businesses in step with the times, building on local characteristics",
    "スポーツの振興による地域の活性化": "Revitalising the area by promoting sport",
    "観光客の滞在とリピート率増加に向けた街全体の魅力向上":
        "Making the whole city more attractive so that visitors stay longer and come back",
    "地域商社の機能強化と地元企業の海外進出や販路拡大の促進":
        "Stronger regional trading companies, and helping local firms expand overseas and find new markets",
    "先端技術や地域の強みを活用した産業振興": "Industrial development using advanced technology and local strengths",
    "街の産業を支える人材として全ての人が活躍できる環境づくり":
        "An environment where everyone can take part as the workforce of the city's industries",
    "旭川空港の利用拡大と交通機能の充実": "Wider use of Asahikawa Airport and better transport",
    "中心市街地の基盤としての機能と魅力の向上": "Stronger functions and appeal of the city centre as the city's base",
    "地域主体のまちづくりの充実": "Stronger community-led town development",
    "北北海道や上川中部圏域との連携促進": "Closer cooperation with northern Hokkaido and the Kamikawa Central area",
    "関係人口の拡大を目指した積極的な情報提供の促進":
        "Active information to widen the circle of people connected with the city",
    "防災や雪対策の充実による安全・安心なまちづくりの推進":
        "A safe and secure city through better disaster prevention and snow control",
    "健幸福祉都市の実現に向けた健康づくりの推進":
        "Promoting good health towards a city of health, happiness and welfare",
    "ゼロカーボンシティの実現に向けた脱炭素化の推進": "Decarbonisation towards a zero-carbon city",
    "デジタル技術の導入によるDX化の推進": "Digital transformation through the introduction of digital technology",
}
DEPARTMENTS_EN = {  # as in fixtures/asahikawa_2024.json where the department is there too
    "子育て支援部": "Child-Rearing Support Department",
    "いじめ防止対策推進部": "Bullying Prevention Department",
    "学校教育部": "School Education Department",
    "市民生活部": "Citizens' Life Department",
    "社会教育部": "Social Education Department",
    "女性活躍推進部": "Women's Advancement Department",
    "経済部": "Economic Affairs Department",
    "地域振興部": "Regional Development Department",
    "総合政策部": "General Policy Department",
    "農政部": "Agricultural Administration Department",
    "観光スポーツ部": "Tourism and Sports Department",
    "福祉保険部": "Welfare and Insurance Department",
    "土木部": "Civil Engineering Department",
    "防災安全部": "Disaster Prevention and Safety Department",
    "保健所": "Public Health Centre",
    "環境部": "Environment Department",
    "建築部": "Building Department",
    "行財政改革推進部": "Administrative and Fiscal Reform Department",
    "総務部": "General Affairs Department",
}
